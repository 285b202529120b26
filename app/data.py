"""Read-only data access for the dashboard: the one module that holds every SQL string the app runs.

The app never opens the build database. Each query opens a fresh in-memory DuckDB connection that ATTACHes the
published serve file READ_ONLY, so a new publication (an atomic rename) is visible on the next query, and a
running `synapscale run` is never blocked by a viewer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from synapscale.settings import from_env


def serve_path() -> Path:
    """The published database: $SYNAPSCALE_SERVE_DB, else <warehouse>/serve.duckdb."""
    explicit = os.environ.get("SYNAPSCALE_SERVE_DB")
    return Path(explicit).resolve() if explicit else from_env().serve_db


def publication_version(path: Path) -> int:
    """Changes whenever a new serve file is published (used as a cache key); 0 when there is none."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the serve file attached read-only as the default catalog."""
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}: run `synapscale run` (or `make demo`) first")
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    escaped = str(path).replace("'", "''")
    con.execute(f"attach '{escaped}' as serve (read_only)")
    con.execute("use serve")
    return con


def query(path: Path, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    with connect(path) as con:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


@dataclass(frozen=True)
class Filters:
    """What the viewer picked: an inclusive UTC date range and optional workspace/model lists (empty = all)."""

    start: date
    end: date
    workspaces: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def where(self, date_column: str) -> tuple[str, list[object]]:
        clauses = [f"{date_column} between ? and ?"]
        params: list[object] = [self.start, self.end]
        if self.workspaces:
            clauses.append("list_contains(?, workspace_id)")
            params.append(list(self.workspaces))
        if self.models:
            clauses.append("list_contains(?, model)")
            params.append(list(self.models))
        return " and ".join(clauses), params


def date_bounds(path: Path) -> tuple[date, date] | None:
    frame = query(path, "select min(usage_date) as first_day, max(usage_date) as last_day from marts.cost_daily")
    first, last = frame.row(0)
    return None if first is None else (first, last)


def workspaces(path: Path) -> list[str]:
    return query(path, "select distinct workspace_id from marts.cost_daily order by 1").to_series().to_list()


def models(path: Path) -> list[str]:
    return query(path, "select distinct model from marts.cost_daily order by 1").to_series().to_list()


def published_at(path: Path) -> object | None:
    """When the serve file was published (None for a file published by hand, without meta.publication)."""
    try:
        return query(path, "select max(published_at) from meta.publication").item()
    except duckdb.CatalogException:
        return None


def overview_totals(path: Path, filters: Filters) -> dict[str, object]:
    """Spend (DECIMAL), calls, unpriced calls and distinct active users over the filtered range."""
    where, params = filters.where("usage_date")
    totals = query(
        path,
        f"""
        select
            coalesce(sum(cost_usd), 0)::decimal(38, 18) as spend_usd,
            coalesce(sum(calls), 0)::bigint as calls,
            coalesce(sum(unpriced_calls), 0)::bigint as unpriced_calls
        from marts.cost_daily
        where {where}
        """,
        params,
    ).row(0, named=True)
    hourly_where, hourly_params = filters.where("(usage_hour at time zone 'UTC')::date")
    totals["active_users"] = query(
        path,
        f"select count(distinct user_id) from marts.cost_hourly where {hourly_where}",
        hourly_params,
    ).item()
    return totals


def spend_by_model(path: Path, filters: Filters) -> pl.DataFrame:
    where, params = filters.where("usage_date")
    return query(
        path,
        f"""
        select model, sum(calls)::bigint as calls, sum(cost_usd)::decimal(38, 18) as spend_usd
        from marts.cost_daily
        where {where}
        group by model
        order by spend_usd desc, model
        """,
        params,
    )


def spend_by_day(path: Path, filters: Filters) -> pl.DataFrame:
    where, params = filters.where("usage_date")
    return query(
        path,
        f"""
        select usage_date, sum(cost_usd)::decimal(38, 18) as spend_usd, sum(calls)::bigint as calls
        from marts.cost_daily
        where {where}
        group by usage_date
        order by usage_date
        """,
        params,
    )
