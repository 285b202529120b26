"""How fresh each raw table is now: rows, newest ingested_at, newest event time, and its age against the
warn/error thresholds dbt source freshness used in the last run (the thresholds live in one place,
models/staging/raw/_raw__sources.yml; run history records them with each result)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from ingest.contract import RAW_SCHEMA

# raw table -> the column that says when the record's event happened
EVENT_TIME = {
    "usage_events": "occurred_at",
    "feedback_events": "created_at",
    "workspaces": "created_at",
    "users": "created_at",
}


@dataclass(frozen=True)
class TableFreshness:
    table: str
    rows: int
    newest_ingested_at: datetime | None
    newest_event_at: datetime | None
    event_column: str
    warn_after_hours: float | None
    error_after_hours: float | None
    now: datetime

    @property
    def age_hours(self) -> float | None:
        if self.newest_ingested_at is None:
            return None
        return (self.now - self.newest_ingested_at).total_seconds() / 3600

    @property
    def state(self) -> str:
        """ok, warn, error (past a threshold), empty, or 'no threshold'."""
        age = self.age_hours
        if age is None:
            return "empty"
        if self.error_after_hours is not None and age > self.error_after_hours:
            return "error"
        if self.warn_after_hours is not None and age > self.warn_after_hours:
            return "warn"
        if self.warn_after_hours is None and self.error_after_hours is None:
            return "no threshold"
        return "ok"


def thresholds(freshness_json: str | None) -> dict[str, tuple[float | None, float | None]]:
    """table -> (warn, error) hours from a run_history.freshness value."""
    if not freshness_json:
        return {}
    try:
        sources = json.loads(freshness_json)
    except ValueError:
        return {}
    return {s["table"]: (s.get("warn_after_hours"), s.get("error_after_hours")) for s in sources}


def table_freshness(
    con: duckdb.DuckDBPyConnection, limits: dict[str, tuple[float | None, float | None]], now: datetime | None = None
) -> list[TableFreshness]:
    """Each raw record table's freshness, read from the database `con` is on (build or serve file)."""
    now = now or datetime.now(UTC)
    present = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where schema_name = ? union all "
            "select view_name from duckdb_views() where schema_name = ?",
            [RAW_SCHEMA, RAW_SCHEMA],
        ).fetchall()
    }
    found = []
    for table, event_column in EVENT_TIME.items():
        if table not in present:
            continue
        rows, ingested, event = con.execute(
            f"select count(*), max(ingested_at), max({event_column}) from {RAW_SCHEMA}.{table}"
        ).fetchall()[0]
        warn, error = limits.get(table, (None, None))
        found.append(TableFreshness(table, rows, ingested, event, event_column, warn, error, now))
    return found


def quarantine_reasons(con: duckdb.DuckDBPyConnection, since: datetime) -> list[tuple[str, int]]:
    """Records quarantined since `since`, by reason code, most frequent first."""
    present = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = 'quarantine'", [RAW_SCHEMA]
    ).fetchall()[0][0]
    if not present:
        return []
    rows: list[Any] = con.execute(
        f"select reason_code, count(*) from {RAW_SCHEMA}.quarantine where quarantined_at >= ? "
        "group by 1 order by 2 desc, 1",
        [since],
    ).fetchall()
    return [(str(reason), int(count)) for reason, count in rows]
