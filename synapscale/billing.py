"""Closing billing periods: recorded in the build database, read by dbt as data.

Finance closes a month once its invoices are sent. The closure is stored (raw.billing_period_closures), not typed
on every command line, so neither a scheduled `synapscale run` nor a plain `dbt build` can forget it: dbt reads
the latest closed month from that table (intermediate/billing/int_billing_closed_period). Late usage for a closed
month is then billed as an adjustment in the first open month, and a closed month's invoice never changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingest.contract import CLOSURES_DDL, RAW_SCHEMA
from synapscale.errors import UserError


def parse_period(text: str) -> date:
    """'2025-02' or '2025-02-01' → date(2025, 2, 1)."""
    try:
        parsed = date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise UserError(f"not a billing period (YYYY-MM): {text!r}") from None
    return parsed.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def closed_period(db_path: Path) -> date | None:
    """The latest closed billing period (first day of the month), or None when nothing is closed."""
    if not db_path.exists():
        return None
    with duckdb.connect(str(db_path), read_only=True) as con:
        exists = con.sql(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = 'billing_period_closures'",
            params=[RAW_SCHEMA],
        ).fetchall()[0][0]
        if not exists:
            return None
        return con.sql(f"select max(billing_period) from {RAW_SCHEMA}.billing_period_closures").fetchall()[0][0]


def close_period(db_path: Path, period: date, *, today: date | None = None) -> date:
    """Close `period` (and every earlier month). Closing never moves backwards, nor into the current month."""
    period = period.replace(day=1)
    current_month = (today or datetime.now(UTC).date()).replace(day=1)
    if period >= current_month:
        raise UserError(f"cannot close {period:%Y-%m}: only months before the current one ({current_month:%Y-%m})")
    latest = closed_period(db_path)
    if latest is not None and period <= latest:
        raise UserError(f"{latest:%Y-%m} is already closed (so is every earlier month); nothing changed")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(CLOSURES_DDL)
        con.execute(f"insert into {RAW_SCHEMA}.billing_period_closures values (?, ?)", [period, datetime.now(UTC)])
    return period
