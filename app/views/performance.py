"""Model performance: latency and time-to-first-token percentiles, output tokens per second, errors."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui

TOP_SERIES = 8


def daily_chart(frame: pl.DataFrame, measure: str, title: str) -> alt.Chart:
    return (
        alt.Chart(ui.chart_ready(frame))
        .mark_line(point=True)
        .encode(
            x=alt.X("usage_date:T", title="Day (UTC)"),
            y=alt.Y(f"{measure}:Q", title=title),
            color=alt.Color("series:N", title="Model · provider", legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=[
                alt.Tooltip("usage_date:T", title="Day", format="%a %Y-%m-%d"),
                alt.Tooltip("series:N", title="Model · provider"),
                alt.Tooltip(f"{measure}:Q", title=title, format=",.0f"),
                alt.Tooltip("calls:Q", title="Calls", format=","),
            ],
        )
    )


view = shell.page(
    "Model performance",
    "How fast each model answers, how often it fails, and how it streams.",
    applies="dates, workspaces, providers, models",
    ignores=shell.NO_TAGS,
)
if view is not None:
    result = data.performance(view.serve, view.filters)
    if result.by_model.is_empty():
        ui.empty("No calls in this range")
    else:
        calls, errors = int(result.by_model["calls"].sum()), int(result.by_model["error_calls"].sum())
        ui.metrics(
            ("Calls", ui.count(calls)),
            ("Failed calls", ui.count(errors)),
            ("Error rate", f"{errors / calls:.2%}"),
        )
        busiest = result.by_model.head(TOP_SERIES)
        shown = result.by_day.join(busiest.select("model", "provider"), on=["model", "provider"])
        if result.by_model.height > TOP_SERIES:
            st.caption(f"Charts: the {TOP_SERIES} busiest of {result.by_model.height} model · provider pairs.")
        left, right = st.columns(2)
        with left:
            st.subheader("Latency, 95th percentile per day")
            ui.show(daily_chart(shown, "latency_p95_ms", "Latency p95 (ms)"))
        with right:
            st.subheader("Time to first token, 95th percentile per day")
            ui.show(daily_chart(shown.drop_nulls("ttft_p95_ms"), "ttft_p95_ms", "Time to first token p95 (ms)"))
        st.subheader("Per model and provider")
        st.caption(
            "Calls, failures and the error rate are exact over the range. Percentiles and tokens per second are per "
            "UTC day in the warehouse (a percentile cannot be added up), so the range shows the median of the daily "
            "values; successful calls only."
            + (
                " With workspaces chosen, the median of each chosen workspace's daily values."
                if view.filters.workspaces
                else ""
            )
        )
        ui.table(
            result.by_model,
            "model performance",
            {
                "model": ui.text_column("Model"),
                "provider": ui.text_column("Provider"),
                "calls": ui.count_column("Calls"),
                "error_calls": ui.count_column("Failed"),
                "error_rate": ui.percent_column("Error rate"),
                "latency_p50_ms": ui.number_column("Latency p50 (ms)"),
                "latency_p95_ms": ui.number_column("Latency p95 (ms)"),
                "latency_p99_ms": ui.number_column("Latency p99 (ms)"),
                "ttft_p50_ms": ui.number_column("TTFT p50 (ms)"),
                "ttft_p95_ms": ui.number_column("TTFT p95 (ms)"),
                "tokens_per_second": ui.number_column("Output tokens/s", 1),
                "spend_usd": ui.money_column("Spend"),
            },
        )
        st.subheader("Errors by type")
        if view.filters.workspaces:
            st.info(
                "Error types are counted over every workspace: the workspace filter does not apply to this section "
                "(marts.model_errors_daily has no workspace).",
                icon=":material/filter_alt_off:",
            )
        if result.errors.is_empty():
            st.caption("No failed calls in this range.")
        else:
            by_type = result.errors.group_by("error_type").agg(pl.col("error_calls").sum())
            ui.show(
                alt.Chart(by_type.to_arrow())
                .mark_bar()
                .encode(
                    x=alt.X("error_calls:Q", title="Failed calls"),
                    y=alt.Y("error_type:N", title="Error type", sort="-x"),
                    tooltip=[
                        alt.Tooltip("error_type:N", title="Error type"),
                        alt.Tooltip("error_calls:Q", title="Failed calls", format=","),
                    ],
                ),
                height=max(120, 30 * by_type.height),
            )
            ui.table(
                result.errors,
                "errors by type",
                {
                    "error_type": ui.text_column("Error type"),
                    "model": ui.text_column("Model"),
                    "provider": ui.text_column("Provider"),
                    "error_calls": ui.count_column("Failed calls"),
                },
            )
