"""The outbox as operators read it: counts for `synapscale status`, rows for `synapscale alerts list`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from synapscale.alerts import outbox


@dataclass(frozen=True)
class AlertSummary:
    counts: dict[str, int]  # outbox status -> alerts
    failing: list[tuple[str, int, str]]  # (sink, failed deliveries, the latest error)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def summary(con: duckdb.DuckDBPyConnection) -> AlertSummary | None:
    """None when the outbox does not exist yet (no run has delivered alerts)."""
    if not outbox.has_tables(con):
        return None
    counts = dict(con.execute(f"select status, count(*) from {outbox.OUTBOX} group by status").fetchall())
    failing = con.execute(
        f"select sink, count(*), arg_max(last_error, last_attempt_at) from {outbox.DELIVERIES} "
        "where status in ('failed', 'sending') group by sink order by sink"
    ).fetchall()
    return AlertSummary(counts=counts, failing=[(sink, count, error or "") for sink, count, error in failing])


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    workspace: str | None = None
    alert_type: str | None = None
    since: date | None = None
    limit: int = 50


def listing(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, Any]]:
    """Outbox rows, newest first, each with its deliveries as 'sink:status(attempts)'."""
    if not outbox.has_tables(con):
        return []
    where, values = ["true"], []
    for column, value in (("status", filters.status), ("workspace_id", filters.workspace),
                          ("alert_type", filters.alert_type)):  # fmt: skip
        if value is not None:
            where.append(f"outbox.{column} = ?")
            values.append(value)
    if filters.since is not None:
        where.append("outbox.occurred_at >= ?::date")
        values.append(filters.since)
    result = con.execute(
        f"""
        select
            outbox.alert_id, outbox.occurred_at, outbox.alert_type, outbox.threshold_pct, outbox.workspace_id,
            outbox.severity, outbox.status, outbox.first_seen_at,
            string_agg(d.sink || ':' || d.status || '(' || d.attempts || ')', ' ' order by d.sink) as deliveries,
            arg_max(d.last_error, d.last_attempt_at) filter (where d.status in ('failed', 'sending')) as last_error,
            outbox.suppressed_reason,
            outbox.message
        from {outbox.OUTBOX} as outbox
        left join {outbox.DELIVERIES} as d on d.alert_id = outbox.alert_id
        where {" and ".join(where)}
        group by all
        order by outbox.occurred_at desc, outbox.alert_id
        limit ?
        """,
        [*values, filters.limit],
    )
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
