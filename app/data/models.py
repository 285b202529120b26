"""The Models pages' queries: performance (marts.model_provider_performance_daily, or
workspace_model_performance_daily when workspaces are chosen; model_errors_daily), feedback and quality
(workspace_model_feedback_daily, workspace_model_performance_daily) and recommendations (model_recommendations).
model_errors_daily has no workspace: with a workspace filter the error types stay over every workspace (the page
says so)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from app.data.source import CACHE, MONEY, Filters, Serve, _frame, connect, query, where

PER_WORKSPACE_PERFORMANCE = "marts.workspace_model_performance_daily"


# --- Model performance -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Performance:
    by_model: pl.DataFrame  # model, provider, calls, error_calls, error_rate, daily-percentile medians, cost
    by_day: pl.DataFrame  # usage_date, model, provider, series, calls, latency and TTFT p95, tokens/s
    errors: pl.DataFrame  # error_type, model, provider, error_calls (every workspace: the mart has none)


@st.cache_data(**CACHE)
def performance(serve: Serve, filters: Filters) -> Performance:  # long: three queries on one connection, most of it SQL
    """Per model and provider over the range: exact counts and error rate; percentiles are per UTC day in the
    mart (a percentile cannot be summed), so the range shows the median of the daily values - with workspaces
    chosen, of each chosen workspace's daily values (workspace_model_performance_daily)."""
    clause, params = where(filters, day="usage_date", provider="provider", model="model")
    relation = "marts.model_provider_performance_daily"
    if filters.workspaces:
        relation = PER_WORKSPACE_PERFORMANCE
        clause, params = where(filters, day="usage_date", workspace="workspace_id", provider="provider", model="model")
    with connect(serve) as con:
        by_model = _frame(
            con,
            f"""
            select
                model, provider,
                sum(calls)::bigint as calls,
                sum(error_calls)::bigint as error_calls,
                sum(error_calls) / sum(calls) as error_rate,
                median(latency_p50_ms) as latency_p50_ms,
                median(latency_p95_ms) as latency_p95_ms,
                median(latency_p99_ms) as latency_p99_ms,
                median(time_to_first_token_p50_ms) as ttft_p50_ms,
                median(time_to_first_token_p95_ms) as ttft_p95_ms,
                median(output_tokens_per_second) as tokens_per_second,
                sum(cost_usd)::{MONEY} as spend_usd,
                count(distinct usage_date)::bigint as days
            from {relation}
            where {clause}
            group by model, provider
            order by calls desc, model, provider
            """,
            params,
        )
        # One row per day, model and provider already unless workspaces are chosen (then: their median).
        by_day = _frame(
            con,
            f"""
            select
                usage_date, model, provider, model || ' · ' || provider as series, sum(calls)::bigint as calls,
                median(latency_p95_ms) as latency_p95_ms, median(time_to_first_token_p95_ms) as ttft_p95_ms,
                median(output_tokens_per_second) as tokens_per_second
            from {relation}
            where {clause}
            group by usage_date, model, provider
            order by usage_date, series
            """,
            params,
        )
        error_clause, error_params = where(filters, day="usage_date", provider="provider", model="model")
        errors = _frame(
            con,
            f"""
            select error_type, model, provider, sum(error_calls)::bigint as error_calls
            from marts.model_errors_daily
            where {error_clause}
            group by error_type, model, provider
            order by error_calls desc, error_type, model, provider
            """,
            error_params,
        )
    return Performance(by_model, by_day, errors)


# --- Feedback and quality ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quality:
    by_model: pl.DataFrame  # model, feedback counts, thumbs_up_rate, mean_rating, quality_score, spend, cost per 1k
    categories: pl.DataFrame  # category, feedback_count


@st.cache_data(**CACHE)
def quality(serve: Serve, filters: Filters) -> Quality:  # long: two queries on one connection, most of it SQL
    """Feedback per model over the range (sums, then rates from the sums: exact) next to what the same model's calls
    cost per 1,000 tokens. The quality score puts thumbs (0 or 1) and ratings r ((r - 1) / 4) on one 0..1 scale.
    Both sides per workspace and provider, so every filter but the tags applies."""
    clause, params = where(filters, day="usage_date", workspace="workspace_id", provider="provider", model="model")
    with connect(serve) as con:
        by_model = _frame(
            con,
            f"""
            with feedback as (
                select
                    model,
                    sum(feedback_count)::bigint as feedback_count,
                    sum(thumbs_count)::bigint as thumbs_count,
                    sum(thumbs_up_count)::bigint as thumbs_up_count,
                    sum(rating_count)::bigint as rating_count,
                    sum(rating_sum)::bigint as rating_sum,
                    sum(comment_count)::bigint as comment_count
                from marts.workspace_model_feedback_daily
                where {clause}
                group by model
            ),
            cost as (
                select
                    model,
                    sum(calls)::bigint as calls,
                    sum(cost_usd)::{MONEY} as spend_usd,
                    sum(input_tokens + output_tokens)::bigint as tokens,
                    sum(case when priced_calls > 0 then input_tokens + output_tokens else 0 end)::bigint
                        as priced_tokens
                from {PER_WORKSPACE_PERFORMANCE}
                where {clause}
                group by model
            )
            select
                feedback.*,
                thumbs_up_count / nullif(thumbs_count, 0) as thumbs_up_rate,
                rating_sum / nullif(rating_count, 0) as mean_rating,
                (thumbs_up_count + (rating_sum - rating_count) / 4) / nullif(thumbs_count + rating_count, 0)
                    as quality_score,
                thumbs_count + rating_count as scored_feedback,
                cost.calls,
                cost.spend_usd,
                (cost.spend_usd * 1000 / nullif(cost.priced_tokens, 0))::{MONEY} as usd_per_1k_tokens
            from feedback
            left join cost using (model)
            order by feedback_count desc, model
            """,
            [*params, *params],
        )
        categories = _frame(
            con,
            f"""
            select category, sum(feedback_count)::bigint as feedback_count
            from marts.workspace_model_feedback_daily
            where {clause} and category <> ''
            group by category
            order by feedback_count desc, category
            """,
            params,
        )
    return Quality(by_model, categories)


# --- Recommendations ---------------------------------------------------------------------------------------------
@st.cache_data(**CACHE)
def recommendations(serve: Serve, filters: Filters) -> pl.DataFrame:
    """Every workspace x model with enough traffic, recommended switch (or none) first by monthly saving, with the
    evidence. The mart's window is fixed (the last 28 days of data): the date range does not apply."""
    clause, params = where(filters, workspace="workspace_id", model="source_model")
    return query(
        serve,
        f"""
        select
            workspace_id, workspace_name, source_model, recommended_llm_id, recommended_display_name,
            has_recommendation, window_start_date, window_end_date, window_calls,
            window_actual_cost_usd, window_repriced_cost_usd, window_saving_usd, monthly_saving_usd, saving_pct,
            source_feedback_count, source_quality_score, source_quality_lower_bound,
            recommended_feedback_count, recommended_quality_score, recommended_quality_lower_bound,
            cheaper_alternatives, eligible_alternatives, reason
        from marts.model_recommendations
        where {clause}
        order by has_recommendation desc, monthly_saving_usd desc nulls last, workspace_id, source_model
        """,
        params,
    )
