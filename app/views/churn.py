"""Churn risk: which workspaces are fading, with a score and the reason in words."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui

LEVELS = ("high", "medium", "low")
LEVEL_COLORS = ("#d62728", "#ff7f0e", "#2ca02c")

view = shell.page(
    "Churn risk",
    "Workspaces whose use is fading: the last 28 days of data against the 28 before.",
    applies="workspaces; the windows end on the data's last day, whatever the dates",
    ignores=shell.WORKSPACES_ONLY,
)
if view is not None:
    risk = data.churn(view.serve, view.filters)
    if risk.is_empty():
        ui.empty("No workspace with calls in the last 56 days of data", "Clear the workspace filter in the sidebar.")
    else:
        first = risk.row(0, named=True)
        st.caption(
            f"Recent: {first['recent_start_date']} to {first['data_end_date']}; previous: from "
            f"{first['previous_start_date']}. Score = weighted inactivity, decline of calls, spend, users and "
            "feedback, and model-mix shift, in [0, 1]; high ≥ 0.6, medium ≥ 0.3 (not calibrated probabilities)."
        )
        counts = {level: int((risk["churn_risk_level"] == level).sum()) for level in LEVELS}
        columns = st.columns(3)
        for column, level in zip(columns, LEVELS, strict=True):
            column.metric(f"{level.capitalize()} risk", ui.count(counts[level]), border=True)
        shown = risk.head(20).with_columns(pl.coalesce("workspace_name", "workspace_id").alias("workspace"))
        ui.show(
            alt.Chart(shown.to_arrow())
            .mark_bar()
            .encode(
                x=alt.X("churn_score:Q", title="Churn score (0 steady – 1 gone)", scale=alt.Scale(domain=[0, 1])),
                y=alt.Y("workspace:N", title="Workspace", sort="-x", axis=alt.Axis(labelLimit=260)),
                color=alt.Color(
                    "churn_risk_level:N",
                    title="Risk",
                    scale=alt.Scale(domain=list(LEVELS), range=list(LEVEL_COLORS)),
                    legend=alt.Legend(orient="bottom"),
                ),
                tooltip=[
                    alt.Tooltip("workspace:N", title="Workspace"),
                    alt.Tooltip("churn_score:Q", title="Score", format=".2f"),
                    alt.Tooltip("reason:N", title="Why"),
                ],
            ),
            height=max(120, 28 * shown.height),
        )
        ui.table(
            risk,
            "churn risk",
            {
                "workspace_id": ui.text_column("Workspace"),
                "workspace_name": ui.text_column("Name"),
                "churn_score": ui.number_column("Score", 2),
                "churn_risk_level": ui.text_column("Risk"),
                "reason": st.column_config.TextColumn("Why", width="large"),
                "days_since_last_call": ui.count_column("Days since last call"),
                "recent_calls": ui.count_column("Calls, recent"),
                "previous_calls": ui.count_column("Calls, previous"),
                "recent_spend_usd": ui.money_column("Spend, recent"),
                "previous_spend_usd": ui.money_column("Spend, previous"),
                "recent_active_users": ui.count_column("Users, recent"),
                "previous_active_users": ui.count_column("Users, previous"),
            },
        )
