"""Read-only data access for the dashboard: the one module that holds every SQL string the app runs.

- Reads only the published serve file, through a fresh in-memory DuckDB connection that ATTACHes it READ_ONLY
  (so a running `synapscale run` is never blocked, and a new publication, an atomic rename, is seen at once).
- Reads schemas `marts` and `meta` only, never `core` or `raw`.
- Binds every filter value as a parameter; table and column names come only from the constants below.
- Caches per published version: every loader takes a `Serve` whose identity (inode, mtime, size) changes with
  each publication, so a new publish is a new cache key and needs no restart.
- Money stays DECIMAL here; pages cast to float only for charts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from synapscale.settings import from_env

MONEY = "decimal(38, 18)"
CACHE = {"show_spinner": False, "max_entries": 256, "ttl": timedelta(hours=6)}
# The five priced token buckets (docs/cost.md): (label, token column, cost column).
BUCKETS = (
    ("Uncached input", "uncached_input_tokens", "uncached_input_cost_usd"),
    ("Cache read", "cache_read_tokens", "cache_read_cost_usd"),
    ("Cache write", "cache_write_tokens", "cache_write_cost_usd"),
    ("Visible output", "visible_output_tokens", "visible_output_cost_usd"),
    ("Reasoning", "reasoning_tokens", "reasoning_cost_usd"),
)


# --- the published file ---------------------------------------------------------------------------------------
def serve_path() -> Path:
    """The published database: $SYNAPSCALE_SERVE_DB, else <warehouse>/serve.duckdb."""
    explicit = os.environ.get("SYNAPSCALE_SERVE_DB")
    return Path(explicit).resolve() if explicit else from_env().serve_db


@dataclass(frozen=True)
class Serve:
    """One published serve file. `identity` (inode, mtime_ns, size) changes with every publication (a new file
    renamed into place), so it keys every cache entry."""

    path: str
    identity: tuple[int, int, int]


def current_serve(path: Path | None = None) -> Serve | None:
    """The serve file as it is now, or None when nothing has been published yet."""
    target = path or serve_path()
    try:
        stat = target.stat()
    except FileNotFoundError:
        return None
    return Serve(str(target), (stat.st_ino, stat.st_mtime_ns, stat.st_size))


def connect(serve: Serve) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the serve file attached read-only as the default catalog."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        escaped = serve.path.replace("'", "''")  # a configured path, never viewer input
        con.execute(f"attach '{escaped}' as serve (read_only)")
        con.execute("use serve")
    except Exception:
        con.close()
        raise
    return con


def _row(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple:
    """The first row of a query that returns exactly one (an aggregate)."""
    return con.execute(sql, params or []).fetchall()[0]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pl.DataFrame:
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


@st.cache_data(**CACHE)
def catalog(serve: Serve) -> dict[str, frozenset[str]]:
    """Relation -> its columns, for schemas marts and meta: what this publication offers."""
    with connect(serve) as con:
        rows = con.execute(
            "select schema_name || '.' || table_name, list(column_name) from duckdb_columns() "
            "where database_name = 'serve' and schema_name in ('marts', 'meta') group by 1"
        ).fetchall()
    return {relation: frozenset(columns) for relation, columns in rows}


# --- filters and where the days come from -----------------------------------------------------------------------
@dataclass(frozen=True)
class Grain:
    """A mart the pages aggregate, and how its rows map to days: a DATE column, or a UTC-hour TIMESTAMPTZ."""

    relation: str
    day_column: str | None = None
    hour_column: str | None = None

    def day_range(self, start: date, end: date) -> tuple[str, list[object]]:
        if self.day_column:
            return f"{self.day_column} between ? and ?", [start, end]
        # Half-open UTC instants keep the predicate on the raw column (zone maps prune row groups).
        lower = datetime.combine(start, time(), UTC)
        upper = datetime.combine(end + timedelta(days=1), time(), UTC)
        return f"{self.hour_column} >= ? and {self.hour_column} < ?", [lower, upper]


@dataclass(frozen=True)
class DayBoundary:
    """The two marts one day boundary reads: `days` (no user grain, smaller) and `users` (per user)."""

    label: str
    days: Grain
    users: Grain


# The local-day source is a mart of its own (workspace-local date x workspace x user x model x provider), so the
# local path is a second SQL source, not a second page. Hourly UTC rows cannot be re-cut into local days for
# half-hour time zones (Asia/Kolkata), hence a mart built from the calls themselves.
DAY_BOUNDARIES = {
    "utc": DayBoundary(
        "UTC days",
        days=Grain("marts.cost_daily", day_column="usage_date"),
        users=Grain("marts.cost_hourly", hour_column="usage_hour"),
    ),
    "local": DayBoundary(
        "Each workspace's own days",
        days=Grain("marts.cost_daily_local", day_column="usage_date"),
        users=Grain("marts.cost_daily_local", day_column="usage_date"),
    ),
}


@dataclass(frozen=True)
class Filters:
    """What the viewer picked: an inclusive date range, the day boundary, and lists (empty = all)."""

    start: date
    end: date
    day_boundary: str = "utc"
    workspaces: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def boundary(self) -> DayBoundary:
        return DAY_BOUNDARIES[self.day_boundary]


def _where(filters: Filters, grain: Grain, columns: frozenset[str]) -> tuple[str, list[object]]:
    """The where clause (placeholders only) and its parameters, for one grain."""
    clause, params = grain.day_range(filters.start, filters.end)
    clauses = [clause]
    for column, values in (
        ("workspace_id", filters.workspaces),
        ("provider", filters.providers),
        ("model", filters.models),
    ):
        if values:
            clauses.append(f"list_contains(?, {column})")
            params.append(list(values))
    if filters.tags and "tags" in columns:
        clauses.append("list_has_any(tags, ?)")
        params.append(list(filters.tags))
    return " and ".join(clauses), params


def _scope(serve: Serve, filters: Filters, users: bool = False) -> tuple[str, str, list[object]]:
    """(relation, where clause, parameters) for the filters on the day or user grain of their boundary."""
    grain = filters.boundary.users if users else filters.boundary.days
    where, params = _where(filters, grain, catalog(serve).get(grain.relation, frozenset()))
    return grain.relation, where, params


def has_day_boundary(serve: Serve, day_boundary: str) -> bool:
    boundary = DAY_BOUNDARIES[day_boundary]
    relations = catalog(serve)
    return boundary.days.relation in relations and boundary.users.relation in relations


# --- the shell: publication and filter choices -----------------------------------------------------------------
@dataclass(frozen=True)
class Publication:
    published_at: datetime | None
    usage_log_rows: int | None


@st.cache_data(**CACHE)
def publication(serve: Serve) -> Publication:
    """When the serve file was published (None for a file published by hand, without meta.publication)."""
    if "meta.publication" not in catalog(serve):
        return Publication(None, None)
    with connect(serve) as con:
        row = _row(con, "select max(published_at), max(usage_log_rows) from meta.publication")
    return Publication(*row)


@dataclass(frozen=True)
class Choices:
    """What the filters can offer for one publication and day boundary."""

    first_day: date | None
    last_day: date | None  # the last day with usage: the default range ends here
    workspaces: dict[str, str]  # workspace_id -> display label
    providers: tuple[str, ...]
    models: tuple[str, ...]
    tags: tuple[str, ...]  # empty when no mart carries tags
    last_billed_day: date | None = None  # later when late usage is billed in a month without calls

    @property
    def end_day(self) -> date | None:
        """The last day a viewer can pick."""
        return max(day for day in (self.last_day, self.last_billed_day) if day) if self.last_day else None


@st.cache_data(**CACHE)
def choices(serve: Serve, day_boundary: str) -> Choices:
    grain = DAY_BOUNDARIES[day_boundary].days
    has_tags = "tags" in catalog(serve).get(grain.relation, frozenset())
    distinct = [f"coalesce(array_agg(distinct {c} order by {c}), [])" for c in ("workspace_id", "provider", "model")]
    tags = (
        f"(select coalesce(array_agg(distinct t order by t), []) from (select unnest(tags) as t from {grain.relation}))"
    )
    with connect(serve) as con:
        first, last, workspace_ids, providers, models, tag_list = _row(
            con,
            f"select min({grain.day_column}), max({grain.day_column}), {', '.join(distinct)}, "
            f"{tags if has_tags else '[]::varchar[]'} from {grain.relation}",
        )
        names = _workspace_names(serve, con)
        billed = "select max(billing_period_end_date) from marts.invoices"
        (last_billed,) = _row(con, billed) if "marts.invoices" in catalog(serve) else (None,)
    labels = {ws: f"{names[ws]} ({ws})" if names.get(ws) else ws for ws in workspace_ids}
    return Choices(first, last, labels, tuple(providers), tuple(models), tuple(tag_list), last_billed)


def _workspace_names(serve: Serve, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Display names, from the invoices mart (the only mart that carries them today)."""
    if "marts.invoices" not in catalog(serve):
        return {}
    rows = con.execute(
        "select workspace_id, max(workspace_name) from marts.invoices where workspace_name is not null group by 1"
    ).fetchall()
    return dict(rows)


# --- Overview ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Overview:
    spend_usd: Decimal
    calls: int
    error_calls: int
    unpriced_calls: int
    tokens: int
    active_users: int
    by_day: pl.DataFrame  # usage_date, calls, spend_usd
    by_model: pl.DataFrame  # model, calls, tokens, spend_usd, share_of_spend

    @property
    def priced_calls(self) -> int:
        return self.calls - self.unpriced_calls


@st.cache_data(**CACHE)
def overview(serve: Serve, filters: Filters) -> Overview:
    relation, where, params = _scope(serve, filters)
    user_relation, user_where, user_params = _scope(serve, filters, users=True)
    with connect(serve) as con:
        totals = _row(
            con,
            f"""
            select
                coalesce(sum(cost_usd), 0)::{MONEY} as spend_usd,
                coalesce(sum(calls), 0)::bigint as calls,
                coalesce(sum(error_calls), 0)::bigint as error_calls,
                coalesce(sum(unpriced_calls), 0)::bigint as unpriced_calls,
                coalesce(sum(input_tokens + output_tokens), 0)::bigint as tokens
            from {relation}
            where {where}
            """,
            params,
        )
        (active_users,) = _row(
            con, f"select count(distinct user_id) from {user_relation} where {user_where}", user_params
        )
        by_day = _frame(
            con,
            f"""
            select usage_date, sum(calls)::bigint as calls, sum(cost_usd)::{MONEY} as spend_usd
            from {relation}
            where {where}
            group by usage_date
            order by usage_date
            """,
            params,
        )
        by_model = _frame(
            con,
            f"""
            select
                model,
                sum(calls)::bigint as calls,
                sum(input_tokens + output_tokens)::bigint as tokens,
                sum(cost_usd)::{MONEY} as spend_usd,
                sum(unpriced_calls)::bigint as unpriced_calls
            from {relation}
            where {where}
            group by model
            order by spend_usd desc, model
            """,
            params,
        )
    return Overview(*totals, active_users=active_users, by_day=by_day, by_model=by_model)


# --- Cost explorer -----------------------------------------------------------------------------------------------
# Group-by choices: label -> the grouping columns (constants; the viewer picks a key, never a column name).
DIMENSIONS = {
    "workspace": ("workspace_id",),
    "user": ("workspace_id", "user_id"),
    "provider": ("provider",),
    "model": ("model",),
    "tag": ("tag",),
}


def dimensions(serve: Serve, day_boundary: str) -> tuple[str, ...]:
    """The group-by choices this publication supports (tag only when the mart carries tags)."""
    columns = catalog(serve).get(DAY_BOUNDARIES[day_boundary].days.relation, frozenset())
    return tuple(name for name in DIMENSIONS if name != "tag" or "tags" in columns)


def _measures() -> str:
    buckets = ",\n".join(
        f"sum({tokens})::bigint as {tokens}, sum({cost})::{MONEY} as {cost}" for _, tokens, cost in BUCKETS
    )
    return f"""
        sum(calls)::bigint as calls,
        sum(error_calls)::bigint as error_calls,
        sum(unpriced_calls)::bigint as unpriced_calls,
        sum(input_tokens + output_tokens)::bigint as tokens,
        {buckets},
        sum(cost_usd)::{MONEY} as spend_usd
    """


@dataclass(frozen=True)
class CostExplorer:
    breakdown: pl.DataFrame  # the grouping columns, then calls, tokens, every bucket's tokens and cost, spend_usd
    top_workspaces: pl.DataFrame  # workspace_id, workspace_name, calls, spend_usd
    top_users: pl.DataFrame  # workspace_id, user_id, calls, spend_usd


@st.cache_data(**CACHE)
def cost_explorer(serve: Serve, filters: Filters, dimension: str, top: int = 10) -> CostExplorer:
    """Spend grouped by one dimension (with every token bucket), and the top spending workspaces and users."""
    day_relation, day_where, day_params = _scope(serve, filters)
    user_relation, user_where, user_params = _scope(serve, filters, users=True)
    relation, where, params = (
        (user_relation, user_where, user_params) if dimension == "user" else (day_relation, day_where, day_params)
    )
    # A call with two tags counts under both: the tag view is a breakdown, not a partition.
    source = f"(select *, unnest(tags) as tag from {relation})" if dimension == "tag" else relation
    group = ", ".join(DIMENSIONS[dimension])
    with connect(serve) as con:
        breakdown = _frame(
            con,
            f"select {group}, {_measures()} from {source} where {where} group by {group} "
            f"order by spend_usd desc, {group}",
            params,
        )
        top_workspaces = _frame(
            con,
            f"""
            select workspace_id, sum(calls)::bigint as calls, sum(cost_usd)::{MONEY} as spend_usd
            from {day_relation}
            where {day_where}
            group by workspace_id
            order by spend_usd desc, workspace_id
            limit ?
            """,
            [*day_params, top],
        )
        top_users = _frame(
            con,
            f"""
            select workspace_id, user_id, sum(calls)::bigint as calls, sum(cost_usd)::{MONEY} as spend_usd
            from {user_relation}
            where {user_where}
            group by workspace_id, user_id
            order by spend_usd desc, workspace_id, user_id
            limit ?
            """,
            [*user_params, top],
        )
        names = _workspace_names(serve, con)
    return CostExplorer(_with_names(breakdown, names), _with_names(top_workspaces, names), top_users)


def _with_names(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Add workspace_name after workspace_id (NULL when the workspace has no name)."""
    if "workspace_id" not in frame.columns:
        return frame
    named = frame.with_columns(
        pl.col("workspace_id").replace_strict(names, default=None, return_dtype=pl.String).alias("workspace_name")
    )
    order = list(frame.columns)
    order.insert(order.index("workspace_id") + 1, "workspace_name")
    return named.select(order)


# --- Invoices ----------------------------------------------------------------------------------------------------
@st.cache_data(**CACHE)
def invoices(serve: Serve, filters: Filters) -> pl.DataFrame:
    """Invoices (workspace x month) whose month overlaps the date range; provider/model filters do not apply."""
    clauses, params = ["billing_period <= ?", "billing_period_end_date >= ?"], [filters.end, filters.start]
    if filters.workspaces:
        clauses.append("list_contains(?, workspace_id)")
        params.append(list(filters.workspaces))
    with connect(serve) as con:
        return _frame(
            con,
            f"""
            select
                invoice_id, workspace_id, workspace_name, billing_period, billing_period_end_date,
                usage_usd, adjustment_usd, credit_usd, total_usd, lines, billing_events, is_period_closed
            from marts.invoices
            where {" and ".join(clauses)}
            order by billing_period desc, total_usd desc, workspace_id
            """,
            params,
        )


@st.cache_data(**CACHE)
def invoice_lines(serve: Serve, invoice_id: str) -> pl.DataFrame:
    """One invoice's lines, unrounded (the invoice total is rounded once, from their unrounded sum)."""
    with connect(serve) as con:
        return _frame(
            con,
            """
            select
                model, event_type, billing_events, first_service_period, last_service_period, amount_usd
            from marts.invoice_lines
            where invoice_id = ?
            order by event_type desc, amount_usd desc, model
            """,
            [invoice_id],
        )
