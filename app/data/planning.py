"""The Planning pages' queries: trends and anomalies (marts.workspace_trends_daily, workspace_spend_anomalies),
budgets and alerts (budget_status, alert_events), churn risk (workspace_churn_risk) and what-if repricing
(whatif_repricing_daily). All by UTC day or UTC month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl
import streamlit as st

from app.data.source import CACHE, MONEY, Filters, Serve, _frame, connect, query, where

MOVING_AVERAGE_DAYS = 7


# --- Trends ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trends:
    by_day: pl.DataFrame  # usage_date, spend_usd, calls, spend_7d_avg_usd (of the chosen workspaces together)
    series: pl.DataFrame  # usage_date, workspace_id, spend_usd, baseline_usd, is_anomaly: workspaces with anomalies
    anomalies: pl.DataFrame  # the anomalous days: workspace, spend, baseline, z-score, direction


@st.cache_data(**CACHE)
def trends(serve: Serve, filters: Filters, series_limit: int = 6) -> Trends:
    """Daily spend of the chosen workspaces with its 7-day moving average (the 6 days before the range feed the
    first averages), and the anomalous days with the daily series of the workspaces they belong to."""
    lead = Filters(filters.start - timedelta(days=MOVING_AVERAGE_DAYS - 1), filters.end, workspaces=filters.workspaces)
    lead_clause, lead_params = where(lead, day="usage_date", workspace="workspace_id")
    clause, params = where(filters, day="usage_date", workspace="workspace_id")
    with connect(serve) as con:
        by_day = _frame(
            con,
            f"""
            with daily as (
                select usage_date, sum(spend_usd)::{MONEY} as spend_usd, sum(calls)::bigint as calls
                from marts.workspace_trends_daily
                where {lead_clause}
                group by usage_date
            )
            select
                usage_date, spend_usd, calls,
                (sum(spend_usd) over recent / count(*) over recent)::{MONEY} as spend_7d_avg_usd
            from daily
            window recent as (order by usage_date rows between {MOVING_AVERAGE_DAYS - 1} preceding and current row)
            qualify usage_date >= ?
            order by usage_date
            """,
            [*lead_params, filters.start],
        )
        anomalies = _frame(
            con,
            f"""
            select usage_date, workspace_id, spend_usd, baseline_usd, deviation_usd, robust_z_score,
                deviation_direction, history_days
            from marts.workspace_spend_anomalies
            where {clause} and is_anomaly
            order by usage_date desc, abs(robust_z_score) desc, workspace_id
            """,
            params,
        )
        top = (
            anomalies.group_by("workspace_id")
            .agg(pl.len().alias("n"), pl.col("deviation_usd").abs().max().alias("size"))
            .sort(["n", "size", "workspace_id"], descending=[True, True, False])
            .head(series_limit)["workspace_id"]
            .to_list()
        )
        series = _frame(
            con,
            """
            select usage_date, workspace_id, spend_usd, baseline_usd, is_anomaly
            from marts.workspace_spend_anomalies
            where usage_date between ? and ? and list_contains(?, workspace_id)
            order by workspace_id, usage_date
            """,
            [filters.start, filters.end, top],
        )
    return Trends(by_day, series, anomalies)


# --- Budgets and alerts ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Budgets:
    status: pl.DataFrame  # workspace x UTC month: budget, spend, forecast, crossings
    alerts: pl.DataFrame  # alert_events in the range: crossings and forecast overruns


@st.cache_data(**CACHE)
def budgets(serve: Serve, filters: Filters) -> Budgets:
    """Budget, spend and forecast per workspace for the UTC months the range touches, and the alerts (threshold
    crossings, forecast overruns) that happened in the range."""
    workspace_clause, workspace_params = where(filters, workspace="workspace_id")
    months = [filters.start.replace(day=1), filters.end]
    with connect(serve) as con:
        status = _frame(
            con,
            f"""
            select
                workspace_id, workspace_name, period_month, budget_usd, budget_source, calls, spend_usd,
                spend_pct_of_budget, is_over_budget, is_month_complete, forecast_usd, forecast_pct_of_budget,
                is_forecast_over_budget, thresholds_crossed, highest_threshold_crossed_pct,
                highest_threshold_crossed_at, forecast_overrun_detected_at
            from marts.budget_status
            where period_month between ? and ? and {workspace_clause}
            order by period_month desc, spend_pct_of_budget desc nulls last, workspace_id
            """,
            [*months, *workspace_params],
        )
        alerts = _frame(
            con,
            f"""
            select occurred_at, alert_type, severity, threshold_pct, workspace_id, workspace_name, period_month,
                spend_usd, budget_usd, forecast_usd, message
            from marts.alert_events
            where occurred_at::date between ? and ? and {workspace_clause}
            order by occurred_at, workspace_id, threshold_pct
            """,
            [filters.start, filters.end, *workspace_params],
        )
    return Budgets(status, alerts)


# --- Churn risk --------------------------------------------------------------------------------------------------
@st.cache_data(**CACHE)
def churn(serve: Serve, filters: Filters) -> pl.DataFrame:
    """Every workspace's churn score and its reason, riskiest first (windows fixed at the data's last 56 days)."""
    clause, params = where(filters, workspace="workspace_id")
    return query(
        serve,
        f"""
        select
            workspace_id, workspace_name, churn_score, churn_risk_level, top_signal, reason,
            last_call_date, days_since_last_call, recent_calls, previous_calls, recent_spend_usd,
            previous_spend_usd, recent_active_users, previous_active_users, data_end_date, recent_start_date,
            previous_start_date
        from marts.workspace_churn_risk
        where {clause}
        order by churn_score desc, workspace_id
        """,
        params,
    )


# --- What-if repricing -------------------------------------------------------------------------------------------
BUCKETS = ("uncached_input", "cache_read", "cache_write", "visible_output", "reasoning")


@dataclass(frozen=True)
class WhatIf:
    buckets: pl.DataFrame  # the chosen target: bucket, tokens, actual_usd, repriced_usd
    by_model: pl.DataFrame  # the chosen target: source_model, calls, actual_usd, repriced_usd, saving_usd
    left_out_calls: int  # calls on days the target did not price whole (launched or retired mid-day)


def _whatif_scope(filters: Filters) -> tuple[str, list[object]]:
    return where(filters, day="usage_date", workspace="workspace_id", model="source_model")


@st.cache_data(**CACHE)
def whatif_targets(serve: Serve, filters: Filters) -> pl.DataFrame:
    """Every target model, with what the range's token mix cost and would cost on it (fully repriced days only).
    From marts.whatif_targets_daily (the source models summed: ~15x fewer rows) unless models are chosen."""
    relation = "marts.whatif_targets_daily"
    clause, params = where(filters, day="usage_date", workspace="workspace_id")
    if filters.models:
        relation, (clause, params) = "marts.whatif_repricing_daily", _whatif_scope(filters)
        clause += " and is_fully_repriced"
    return query(
        serve,
        f"""
        select
            target_llm_id, max(target_display_name) as target_display_name,
            max(target_provider) as target_provider,
            sum(calls)::bigint as calls,
            sum(actual_cost_usd)::{MONEY} as actual_usd,
            sum(repriced_cost_usd)::{MONEY} as repriced_usd,
            sum(saving_usd)::{MONEY} as saving_usd
        from {relation}
        where {clause}
        group by target_llm_id
        having sum(calls) > 0
        order by repriced_usd, target_llm_id
        """,
        params,
    )


@st.cache_data(**CACHE)
def whatif(serve: Serve, filters: Filters, target: str) -> WhatIf:
    """The same token mix priced on `target` by the warehouse's cost rules, per bucket and per source model, next to
    what it really cost. Days the target priced only in part are left out (and counted). One scan: the bucket
    totals are the exact DECIMAL sums of the per-model rows."""
    clause, params = _whatif_scope(filters)
    whole = "filter (where is_fully_repriced)"
    bucket_sums = ",\n".join(
        f"sum({b}_tokens) {whole}::bigint as {b}_tokens, "
        f"sum(actual_{b}_cost_usd) {whole}::{MONEY} as actual_{b}_usd, "
        f"sum(repriced_{b}_cost_usd) {whole}::{MONEY} as repriced_{b}_usd"
        for b in BUCKETS
    )
    with connect(serve) as con:
        per_model = _frame(
            con,
            f"""
            select
                source_model,
                sum(calls) {whole}::bigint as calls,
                sum(actual_cost_usd) {whole}::{MONEY} as actual_usd,
                sum(repriced_cost_usd) {whole}::{MONEY} as repriced_usd,
                sum(saving_usd) {whole}::{MONEY} as saving_usd,
                coalesce(sum(calls) filter (where not is_fully_repriced), 0)::bigint as left_out_calls,
                {bucket_sums}
            from marts.whatif_repricing_daily
            where {clause} and target_llm_id = ?
            group by source_model
            order by actual_usd desc nulls last, source_model
            """,
            [*params, target],
        )
    money = pl.Decimal(38, 18)
    buckets = pl.DataFrame(
        {
            "bucket": list(BUCKETS),
            "tokens": [int(per_model[f"{b}_tokens"].sum()) for b in BUCKETS],
            "actual_usd": [per_model[f"actual_{b}_usd"].sum() for b in BUCKETS],
            "repriced_usd": [per_model[f"repriced_{b}_usd"].sum() for b in BUCKETS],
        },
        schema={"bucket": pl.String, "tokens": pl.Int64, "actual_usd": money, "repriced_usd": money},
    )
    by_model = per_model.filter(pl.col("calls").is_not_null()).select(
        "source_model", "calls", "actual_usd", "repriced_usd", "saving_usd"
    )
    return WhatIf(buckets, by_model, int(per_model["left_out_calls"].sum()))
