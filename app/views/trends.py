"""Trends: daily spend with its 7-day average, and the days a workspace spent far off its own normal."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui


def spend_chart(by_day: pl.DataFrame) -> alt.Chart:
    frame = ui.chart_ready(by_day)
    base = alt.Chart(frame).encode(x=alt.X("usage_date:T", title="Day (UTC)"))
    money = alt.Axis(format="$,.2~f")
    bars = base.mark_bar(opacity=0.45).encode(
        y=alt.Y("spend_usd:Q", title="Spend (USD)", axis=money),
        tooltip=[
            alt.Tooltip("usage_date:T", title="Day", format="%a %Y-%m-%d"),
            alt.Tooltip("spend_usd:Q", title="Spend", format=ui.MONEY_TOOLTIP),
            alt.Tooltip("spend_7d_avg_usd:Q", title="7-day average", format=ui.MONEY_TOOLTIP),
            alt.Tooltip("calls:Q", title="Calls", format=","),
        ],
    )
    line = base.mark_line(color="#d62728").encode(y=alt.Y("spend_7d_avg_usd:Q", title="Spend (USD)", axis=money))
    return bars + line


def anomaly_chart(series: pl.DataFrame) -> alt.Chart:
    frame = ui.chart_ready(series)
    base = alt.Chart(frame).encode(
        x=alt.X("usage_date:T", title="Day (UTC)"),
        color=alt.Color("workspace_id:N", title="Workspace", legend=alt.Legend(orient="bottom")),
    )
    money = alt.Axis(format="$,.2~f")
    spend = base.mark_line().encode(y=alt.Y("spend_usd:Q", title="Workspace spend per day (USD)", axis=money))
    marked = (
        base.transform_filter(alt.datum.is_anomaly)
        .mark_point(size=140, filled=True, shape="diamond", stroke="black", strokeWidth=1)
        .encode(
            y="spend_usd:Q",
            tooltip=[
                alt.Tooltip("workspace_id:N", title="Workspace"),
                alt.Tooltip("usage_date:T", title="Day", format="%a %Y-%m-%d"),
                alt.Tooltip("spend_usd:Q", title="Spend", format=ui.MONEY_TOOLTIP),
                alt.Tooltip("baseline_usd:Q", title="Normal (28-day median)", format=ui.MONEY_TOOLTIP),
            ],
        )
    )
    return spend + marked


view = shell.page(
    "Trends",
    "How spend moves day by day, and the days that broke a workspace's pattern.",
    applies="dates, workspaces",
    ignores=shell.WORKSPACES_ONLY,
)
if view is not None:
    result = data.trends(view.serve, view.filters)
    if result.by_day.is_empty() or not result.by_day["calls"].sum():
        ui.empty("No calls in this range")
    else:
        st.subheader("Spend per day")
        st.caption("Bars: each day's spend; line: the mean of the 7 days ending that day.")
        ui.show(spend_chart(result.by_day))
        ui.table(
            result.by_day,
            "spend per day",
            {
                "usage_date": ui.day_column(),
                "calls": ui.count_column("Calls"),
                "spend_usd": ui.money_column("Spend"),
                "spend_7d_avg_usd": ui.money_column("7-day average"),
            },
        )
        st.subheader("Anomalies")
        st.caption(
            "A day is an anomaly when its spend is more than 3.5 robust standard deviations from the median of the "
            "workspace's 28 days before it (14+ days of history, $1 or more): marked ◆ on the workspace's line."
        )
        if result.anomalies.is_empty():
            st.success("No anomalous day in this range.", icon=":material/check_circle:")
        else:
            st.metric("Anomalous days", ui.count(result.anomalies.height), border=True)
            ui.show(anomaly_chart(result.series))
            ui.table(
                result.anomalies,
                "spend anomalies",
                {
                    "usage_date": ui.day_column(),
                    "workspace_id": ui.text_column("Workspace"),
                    "deviation_direction": ui.text_column("Direction"),
                    "spend_usd": ui.money_column("Spend"),
                    "baseline_usd": ui.money_column("Normal (median)"),
                    "deviation_usd": ui.money_column("Off by"),
                    "robust_z_score": ui.number_column("Robust z-score", 1),
                    "history_days": ui.count_column("Days of history"),
                },
            )
