"""Figures the pages should show, worked out independently of app/data/: polars over the serve file's mart
tables (read whole, filtered and summed in Python), and a money format written out here, not imported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb
import polars as pl

CENT = Decimal("0.01")


def dollars(amount: Decimal | int | float) -> str:
    """$1,234.56, half-even to the cent (the invoices' rounding rule)."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return f"-${-value:,}" if value < 0 else f"${value:,}"


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)


def table(serve_db: Path, relation: str) -> pl.DataFrame:
    with duckdb.connect(str(serve_db), read_only=True) as con:
        return con.sql(f"select * from {relation}").pl()


def relations(serve_db: Path) -> list[str]:
    """Every table and view the serve file publishes, as schema.name."""
    with duckdb.connect(str(serve_db), read_only=True) as con:
        return [
            name for (name,) in con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
        ]


@dataclass(frozen=True)
class Scope:
    """A filter as a test states it: inclusive UTC dates and optional lists."""

    start: date
    end: date
    workspaces: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def apply(self, hourly: pl.DataFrame) -> pl.DataFrame:
        day = pl.col("usage_hour").dt.convert_time_zone("UTC").dt.date()
        rows = hourly.filter(day.is_between(self.start, self.end))
        for column, values in (("workspace_id", self.workspaces), ("provider", self.providers), ("model", self.models)):
            if values:
                rows = rows.filter(pl.col(column).is_in(list(values)))
        return rows


def default_scope(hourly: pl.DataFrame) -> Scope:
    """The last 30 days of data, by UTC day."""
    last = hourly["usage_hour"].dt.convert_time_zone("UTC").dt.date().max()
    first = hourly["usage_hour"].dt.convert_time_zone("UTC").dt.date().min()
    return Scope(max(first, last - timedelta(days=29)), last)


def totals(rows: pl.DataFrame) -> dict[str, object]:
    spend = rows["cost_usd"].sum() if rows.height else Decimal(0)  # polars sums DECIMAL exactly
    calls = int(rows["calls"].sum())
    unpriced = int(rows["unpriced_calls"].sum())
    tokens = int(rows["input_tokens"].sum() + rows["output_tokens"].sum())
    return {
        "spend": spend,
        "calls": calls,
        "unpriced": unpriced,
        "tokens": tokens,
        "active_users": rows["user_id"].n_unique(),
    }


def spend_by(rows: pl.DataFrame, *keys: str) -> dict[tuple[str, ...], Decimal]:
    """Spend per group (exact DECIMAL sums), keyed by the group's values."""
    grouped = rows.group_by(*keys).agg(pl.col("cost_usd").sum())
    return {tuple(row[:-1]): row[-1] for row in grouped.select(*keys, "cost_usd").iter_rows()}
