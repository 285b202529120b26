"""The outbox in the build database, schema `ops` (written by the pipeline, never by dbt, so a full refresh
keeps it; published with the marts like run history).

- `ops.alert_outbox`: one row per alert id ever seen in a published `marts.alert_events`, inserted only when
  absent (the id is stable across runs, so each alert enters once), with the alert as it was first seen and
  the JSON record the sinks receive (`payload`). Status: pending -> sent | failed; 'suppressed' when it was
  already older than the lookback window when first seen (a first run over months of history).
- `ops.alert_deliveries`: one row per alert x sink: sending (attempt under way, or interrupted), sent, failed
  (retried on the next pass) or suppressed (the sink was configured after the alert was already old).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from synapscale.alerts import payload

SCHEMA = "ops"
OUTBOX = f"{SCHEMA}.alert_outbox"
DELIVERIES = f"{SCHEMA}.alert_deliveries"

MONEY = "DECIMAL(38, 18)"
OUTBOX_COLUMNS: dict[str, tuple[str, str]] = {
    "alert_id": ("VARCHAR PRIMARY KEY", "marts.alert_events.alert_id: stable across runs, so an alert enters once."),
    "alert_type": ("VARCHAR NOT NULL", "budget_threshold, forecast_overrun or spend_anomaly."),
    "severity": ("VARCHAR", "critical, warning or info (marts.alert_events)."),
    "workspace_id": ("VARCHAR NOT NULL", "The workspace the alert is about."),
    "workspace_name": ("VARCHAR", "Its name when first seen."),
    "period_month": ("DATE", "The UTC month of the budget."),
    "threshold_pct": ("INTEGER", "50, 80, 100 for a threshold crossing; null otherwise."),
    "occurred_at": ("TIMESTAMPTZ NOT NULL", "When it happened (UTC), as first seen."),
    "spend_usd": (MONEY, "Month-to-date spend then, as first seen."),
    "budget_usd": (MONEY, "The budget, as first seen."),
    "forecast_usd": (MONEY, "The forecast that raised a forecast overrun, as first seen."),
    "message": ("VARCHAR NOT NULL", "The sentence the sinks deliver."),
    "payload": ("JSON NOT NULL", "The alert record the sinks receive (money as exact decimal text)."),
    "first_seen_run_id": ("VARCHAR", "run_id of the publication it was first seen in (meta.publication.run_id)."),
    "first_seen_at": ("TIMESTAMPTZ NOT NULL", "When it entered the outbox."),
    "status": ("VARCHAR NOT NULL", "pending, sent (every configured sink has it), failed (retried) or suppressed."),
    "suppressed_reason": ("VARCHAR", "Why it was never sent (older than the lookback window when first seen)."),
    "updated_at": ("TIMESTAMPTZ", "When the status last changed."),
}
DELIVERY_COLUMNS: dict[str, tuple[str, str]] = {
    "alert_id": ("VARCHAR NOT NULL", "The alert (ops.alert_outbox)."),
    "sink": ("VARCHAR NOT NULL", "jsonl or webhook."),
    "status": ("VARCHAR NOT NULL", "sending (under way or interrupted), sent, failed (retried) or suppressed."),
    "attempts": ("INTEGER NOT NULL", "Delivery attempts to this sink."),
    "first_attempt_at": ("TIMESTAMPTZ", "The first attempt."),
    "last_attempt_at": ("TIMESTAMPTZ", "The latest attempt."),
    "sent_at": ("TIMESTAMPTZ", "When the sink accepted it (2xx answer; line appended and fsynced)."),
    "last_error": ("VARCHAR", "Why the latest attempt failed, or how it was settled."),
    "target": ("VARCHAR", "Where: the file, or the webhook's scheme and host."),
}
COMMENTS = {
    OUTBOX: "Spend alerts from marts.alert_events, one row per alert id, each delivered once per sink.",
    DELIVERIES: "One row per alert and sink: attempts, outcome, last error, when it was sent.",
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the outbox tables with comments for analysts (idempotent)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    for table, columns, key in ((OUTBOX, OUTBOX_COLUMNS, ""), (DELIVERIES, DELIVERY_COLUMNS, "alert_id, sink")):
        body = ", ".join(f"{name} {sql_type}" for name, (sql_type, _) in columns.items())
        con.execute(f"create table if not exists {table} ({body}{f', primary key ({key})' if key else ''})")
        con.execute(f"comment on table {table} is '{COMMENTS[table]}'")
        for name, (_, comment) in columns.items():
            con.execute(f"comment on column {table}.{name} is '{comment.replace(chr(39), chr(39) * 2)}'")


def has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name in ('alert_outbox', "
        "'alert_deliveries')",
        [SCHEMA],
    ).fetchall()[0][0]
    return found == 2


@dataclass(frozen=True)
class Collected:
    new: int
    suppressed: int
    reference_at: datetime  # the end of the data's newest hour: "now" for the lookback window


def collect(con: duckdb.DuckDBPyConnection, serve_db: Path, lookback_hours: float, now: datetime) -> Collected:
    """Insert the published alerts the outbox does not hold yet; those older than the lookback window (before
    the end of the data's newest hour minus `lookback_hours`) enter as 'suppressed'. One transaction."""
    quoted = str(serve_db).replace("'", "''")
    con.execute(f"attach '{quoted}' as published (read_only)")
    try:
        reference, run_id = con.execute(
            "select (select max(usage_hour) + interval 1 hour from published.marts.cost_hourly), "
            "(select max(run_id) from published.meta.publication)"
        ).fetchone()
        reference = reference or now
        fresh = _dicts(
            con.execute(
                f"select {', '.join(payload.FIELDS)} from published.marts.alert_events "
                f"where alert_id not in (select alert_id from {OUTBOX}) order by occurred_at, alert_id"
            )
        )
    finally:
        con.execute("detach published")
    cutoff = reference - timedelta(hours=lookback_hours)
    reason = f"older than {lookback_hours:g} h before the data's newest hour ({reference:%Y-%m-%d %H:%M} UTC)"
    rows = [
        {
            **alert,
            "payload": payload.encode(payload.record(alert)),
            "first_seen_run_id": run_id,
            "first_seen_at": now,
            "status": "suppressed" if alert["occurred_at"] < cutoff else "pending",
            "suppressed_reason": reason if alert["occurred_at"] < cutoff else None,
            "updated_at": now,
        }
        for alert in fresh
    ]
    if rows:
        frame = pl.DataFrame(rows, schema_overrides={name: pl.Decimal(38, 18) for name in payload.MONEY_FIELDS})
        con.register("new_alerts", frame)
        try:
            names = ", ".join(OUTBOX_COLUMNS)
            con.execute(f"insert into {OUTBOX} ({names}) select {names} from new_alerts")
        finally:
            con.unregister("new_alerts")
    suppressed = sum(row["status"] == "suppressed" for row in rows)
    return Collected(new=len(rows) - suppressed, suppressed=suppressed, reference_at=reference)


@dataclass(frozen=True)
class Due:
    alert: dict[str, Any]  # the payload record
    delivery_status: str | None  # None (never tried), 'failed' or 'sending' (interrupted)

    @property
    def alert_id(self) -> str:
        return str(self.alert["alert_id"])


def due(con: duckdb.DuckDBPyConnection, sink: str, target: str, cutoff: datetime, now: datetime) -> list[Due]:
    """Alerts still to deliver to `sink`, oldest first. An alert the sink never tried that is already older
    than `cutoff` (the sink was configured later) is settled as 'suppressed' for it instead."""
    con.execute(
        f"insert into {DELIVERIES} (alert_id, sink, status, attempts, last_error, target) "
        f"select alert_id, ?, 'suppressed', 0, ?, ? from {OUTBOX} as outbox "
        "where status <> 'suppressed' and occurred_at < ? and not exists "
        f"(select 1 from {DELIVERIES} as d where d.alert_id = outbox.alert_id and d.sink = ?)",
        [sink, f"older than the lookback window when this sink first saw it ({now:%Y-%m-%d %H:%M} UTC)", target,
         cutoff, sink],
    )  # fmt: skip
    rows = con.execute(
        f"select outbox.payload, deliveries.status from {OUTBOX} as outbox left join {DELIVERIES} as deliveries "
        "on deliveries.alert_id = outbox.alert_id and deliveries.sink = ? "
        "where outbox.status <> 'suppressed' and coalesce(deliveries.status, 'new') in ('new', 'failed', 'sending') "
        "order by outbox.occurred_at, outbox.alert_id",
        [sink],
    ).fetchall()
    return [Due(alert=json.loads(text), delivery_status=status) for text, status in rows]


def mark_attempt(con: duckdb.DuckDBPyConnection, alert_id: str, sink: str, target: str, now: datetime) -> None:
    """Before sending: 'sending', one more attempt (committed, so a crash mid-send is visible afterwards)."""
    con.execute(
        f"insert into {DELIVERIES} (alert_id, sink, status, attempts, first_attempt_at, last_attempt_at, target) "
        "values (?, ?, 'sending', 1, ?, ?, ?) on conflict (alert_id, sink) do update set status = 'sending', "
        "attempts = attempts + 1, last_attempt_at = excluded.last_attempt_at, target = excluded.target",
        [alert_id, sink, now, now, target],
    )


def mark_not_tried(con: duckdb.DuckDBPyConnection, alert_ids: list[str], sink: str, target: str, reason: str) -> None:
    """The sink went down during the pass: the alerts it did not get to wait for it as 'failed' (attempts
    unchanged), so the next pass retries them whatever their age."""
    for alert_id in alert_ids:
        con.execute(
            f"insert into {DELIVERIES} (alert_id, sink, status, attempts, last_error, target) "
            "values (?, ?, 'failed', 0, ?, ?) on conflict (alert_id, sink) do update set status = 'failed', "
            "last_error = excluded.last_error",
            [alert_id, sink, reason, target],
        )


def mark_done(
    con: duckdb.DuckDBPyConnection, alert_id: str, sink: str, now: datetime, error: str | None = None, note: str = ""
) -> None:
    """After sending: 'sent' (with `note` saying how, when it was settled without sending) or 'failed'."""
    status, sent_at = ("failed", None) if error else ("sent", now)
    con.execute(
        f"update {DELIVERIES} set status = ?, sent_at = ?, last_error = ? where alert_id = ? and sink = ?",
        [status, sent_at, error or note or None, alert_id, sink],
    )


def refresh_status(con: duckdb.DuckDBPyConnection, sinks: list[str], now: datetime) -> None:
    """Each alert's status from its deliveries: failed when one failed (or was interrupted); sent when every
    configured sink has settled it (sent, or suppressed for that sink) and one sent it; suppressed when every
    one suppressed it; else pending (a sink has not had it yet)."""
    expected = max(len(sinks), 1)
    con.execute(
        f"""
        update {OUTBOX} as outbox set status = summary.status, updated_at = ?
        from (
            select
                alert_id,
                case
                    when bool_or(status in ('failed', 'sending')) then 'failed'
                    when count(*) filter (where sink in (select unnest(?::varchar[]))) < ? then 'pending'
                    when bool_and(status = 'suppressed') then 'suppressed'
                    else 'sent'
                end as status
            from {DELIVERIES}
            group by alert_id
        ) as summary
        where outbox.alert_id = summary.alert_id and outbox.status <> 'suppressed' and outbox.status <> summary.status
        """,
        [now, sinks, expected],
    )


def _dicts(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]
