"""The Spend pages' queries: Overview, Cost explorer, Invoices (marts.cost_daily, cost_daily_by_user,
cost_daily_local, cost_daily_by_tag, invoices, invoice_lines, focus_charges). One connection per page load; money
stays DECIMAL."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from app.data.source import (
    CACHE,
    MONEY,
    TAGS,
    Filters,
    Serve,
    _frame,
    _row,
    _scope,
    _where,
    catalog,
    connect,
    grain_of,
    query,
    snapshot,
    where,
)
from synapscale.focus_export import export_focus

# The five priced token buckets (docs/cost.md): (label, token column, cost column).
BUCKETS = (
    ("Uncached input", "uncached_input_tokens", "uncached_input_cost_usd"),
    ("Cache read", "cache_read_tokens", "cache_read_cost_usd"),
    ("Cache write", "cache_write_tokens", "cache_write_cost_usd"),
    ("Visible output", "visible_output_tokens", "visible_output_cost_usd"),
    ("Reasoning", "reasoning_tokens", "reasoning_cost_usd"),
)


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
    by_model: pl.DataFrame  # model, calls, tokens, spend_usd, unpriced_calls, error_calls

    @property
    def priced_calls(self) -> int:
        return self.calls - self.unpriced_calls


@st.cache_data(**CACHE)
def overview(serve: Serve, filters: Filters) -> Overview:
    """Two scans of the day grain (per day, per model) and a distinct count on the user grain; the totals are the
    exact sums of the per-model rows (DECIMAL in polars), not a third scan of wide sums."""
    relation, where, params = _scope(serve, filters)
    user_relation, user_where, user_params = _scope(serve, filters, users=True)
    with connect(serve) as con:
        (active_users,) = _row(
            con, f"select count(distinct user_id) from {user_relation} where {user_where}", user_params
        )
        by_day = _frame(
            con,
            f"""
            select {grain_of(filters).day_column} as usage_date, sum(calls)::bigint as calls,
                sum(cost_usd)::{MONEY} as spend_usd
            from {relation}
            where {where}
            group by 1
            order by 1
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
                sum(unpriced_calls)::bigint as unpriced_calls,
                sum(error_calls)::bigint as error_calls
            from {relation}
            where {where}
            group by model
            order by spend_usd desc, model
            """,
            params,
        )
    counts = {column: int(by_model[column].sum()) for column in ("calls", "error_calls", "unpriced_calls", "tokens")}
    spend = by_model["spend_usd"].sum() if by_model.height else Decimal(0)
    return Overview(spend, **counts, active_users=active_users, by_day=by_day, by_model=by_model)


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
    """The group-by choices this publication supports (tag on UTC days, when the tag mart is published)."""
    tagged = day_boundary == "utc" and TAGS.relation in catalog(serve)
    return tuple(name for name in DIMENSIONS if name != "tag" or tagged)


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
    if dimension == "tag":  # a call with two tags counts under both: the tag view is a breakdown, not a partition
        relation, (where, params) = TAGS.relation, _where(filters, TAGS)
    group = ", ".join(DIMENSIONS[dimension])
    with connect(serve) as con:
        breakdown = _frame(
            con,
            f"select {group}, {_measures()} from {relation} where {where} group by {group} "
            f"order by spend_usd desc, {group}",
            params,
        )
        # When the breakdown already is one of the top lists, take it from there: one scan fewer.
        if dimension == "workspace":
            top_workspaces = breakdown.select("workspace_id", "calls", "spend_usd").head(top)
        else:
            top_workspaces = _top(con, ("workspace_id",), day_relation, day_where, day_params, top)
        if dimension == "user":
            top_users = breakdown.select("workspace_id", "user_id", "calls", "spend_usd").head(top)
        else:
            top_users = _top(con, ("workspace_id", "user_id"), user_relation, user_where, user_params, top)
    names = snapshot(serve).workspace_names
    return CostExplorer(_with_names(breakdown, names), _with_names(top_workspaces, names), top_users)


def _top(
    con: duckdb.DuckDBPyConnection, keys: tuple[str, ...], relation: str, where: str, params: list[object], top: int
) -> pl.DataFrame:
    group = ", ".join(keys)
    return _frame(
        con,
        f"""
        select {group}, sum(calls)::bigint as calls, sum(cost_usd)::{MONEY} as spend_usd
        from {relation}
        where {where}
        group by {group}
        order by spend_usd desc, {group}
        limit ?
        """,
        [*params, top],
    )


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
    clause, params = where(filters, workspace="workspace_id")
    return query(
        serve,
        f"""
        select
            invoice_id, workspace_id, workspace_name, billing_period, billing_period_end_date,
            usage_usd, adjustment_usd, credit_usd, total_usd, lines, billing_events, is_period_closed
        from marts.invoices
        where billing_period <= ? and billing_period_end_date >= ? and {clause}
        order by billing_period desc, total_usd desc, workspace_id
        """,
        [filters.end, filters.start, *params],
    )


@st.cache_data(**CACHE)
def invoice_lines(serve: Serve, invoice_id: str) -> pl.DataFrame:
    """One invoice's lines, unrounded (the invoice total is rounded once, from their unrounded sum)."""
    return query(
        serve,
        """
        select
            model, event_type, billing_events, first_service_period, last_service_period, amount_usd
        from marts.invoice_lines
        where invoice_id = ?
        order by event_type desc, amount_usd desc, model
        """,
        [invoice_id],
    )


# --- FOCUS export (Invoices) -------------------------------------------------------------------------------------
def focus_csv(serve: Serve, month: date) -> bytes:
    """One billing month of marts.focus_charges as the FOCUS 1.2 CSV that `synapscale export focus` writes (the one
    definition of the file: synapscale/focus_export.py), read from this publication. Built only when the viewer
    asks for it (a month at 10M calls is tens of MB)."""
    with tempfile.TemporaryDirectory(prefix="synapscale-focus-") as folder:
        out = Path(folder) / f"focus_{month:%Y-%m}.csv"
        export_focus(Path(serve.path), month, out)
        return out.read_bytes()
