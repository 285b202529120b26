"""Recommendations: which model each workspace could switch to, what it would save, and the evidence."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui

OUTCOMES = ("Switch recommended", "Cheaper models, none proven as good", "No cheaper model")


def outcome_chart(table: pl.DataFrame) -> None:
    """How many pairs end in each outcome: why most pairs get no recommendation."""
    outcome = (
        pl.when(pl.col("has_recommendation"))
        .then(pl.lit(OUTCOMES[0]))
        .when(pl.col("cheaper_alternatives") > 0)
        .then(pl.lit(OUTCOMES[1]))
        .otherwise(pl.lit(OUTCOMES[2]))
    )
    counts = table.group_by(outcome.alias("outcome")).agg(pl.len().alias("pairs"))
    st.subheader("Outcome per workspace × model")
    ui.show(
        alt.Chart(counts.to_arrow())
        .mark_bar()
        .encode(
            x=alt.X("pairs:Q", title="Workspace × model pairs"),
            y=alt.Y("outcome:N", title="Outcome", sort=list(OUTCOMES), axis=alt.Axis(labelLimit=300)),
            color=alt.Color("outcome:N", scale=alt.Scale(domain=list(OUTCOMES)), legend=None),
            tooltip=[alt.Tooltip("outcome:N", title="Outcome"), alt.Tooltip("pairs:Q", title="Pairs")],
        ),
        height=120,
    )


view = shell.page(
    "Recommendations",
    "The cheapest model whose quality is not worse, repriced at each workspace's own token mix.",
    applies="workspaces, models (the current model); the window is the data's last 28 days, whatever the dates",
    ignores=("providers", "tags"),
)
if view is not None:
    table = data.recommendations(view.serve, view.filters)
    if table.is_empty():
        ui.empty("No workspace × model with enough traffic", "A pair needs 100 calls in the last 28 days of data.")
    else:
        switches = table.filter(pl.col("has_recommendation"))
        window = table.row(0, named=True)
        st.caption(
            f"Window: {window['window_start_date']} to {window['window_end_date']} (UTC). Monthly saving = the "
            "window's saving × 30 / 28. Quality is pooled over all workspaces (last 90 days); an alternative must "
            "have 100+ scored feedback events and a 95 % lower bound within 0.02 of the current model."
        )
        ui.metrics(
            ("Workspace × model pairs", ui.count(table.height)),
            ("With a recommendation", ui.count(switches.height)),
            ("Monthly saving if all switch", ui.money(switches["monthly_saving_usd"].sum() if switches.height else 0)),
        )
        outcome_chart(table)
        if switches.is_empty():
            ui.empty("No recommended switch", "No cheaper model passes the quality and evidence rules yet.")
        else:
            st.subheader("Saving per switch")
            shown = switches.head(15).with_columns(
                (
                    pl.coalesce("workspace_name", "workspace_id")
                    + ": "
                    + pl.col("source_model")
                    + " → "
                    + pl.col("recommended_llm_id")
                ).alias("switch")
            )
            ui.show(
                alt.Chart(ui.chart_ready(shown))
                .mark_bar()
                .encode(
                    x=alt.X("monthly_saving_usd:Q", title="Saving per month (USD)", axis=alt.Axis(format="$,.2~f")),
                    y=alt.Y("switch:N", title="Switch", sort="-x", axis=alt.Axis(labelLimit=360)),
                    tooltip=[
                        alt.Tooltip("switch:N", title="Switch"),
                        alt.Tooltip("monthly_saving_usd:Q", title="Saving per month", format="$,.2f"),
                        alt.Tooltip("saving_pct:Q", title="Saving", format=".0%"),
                    ],
                ),
                height=max(120, 30 * shown.height),
            )
        st.subheader("Every pair, with the evidence")
        ui.table(
            table,
            "recommendations",
            {
                "workspace_id": ui.text_column("Workspace"),
                "workspace_name": ui.text_column("Name"),
                "source_model": ui.text_column("Current model"),
                "recommended_llm_id": ui.text_column("Switch to"),
                "monthly_saving_usd": ui.money_column("Saving per month"),
                "saving_pct": ui.percent_column("Saving"),
                "window_calls": ui.count_column("Calls in window"),
                "window_actual_cost_usd": ui.money_column("Cost in window"),
                "window_repriced_cost_usd": ui.money_column("Cost on the alternative"),
                "source_quality_score": ui.number_column("Quality now", 3),
                "source_feedback_count": ui.count_column("Feedback now"),
                "recommended_quality_score": ui.number_column("Quality after", 3),
                "recommended_quality_lower_bound": ui.number_column("Lower bound after", 3),
                "recommended_feedback_count": ui.count_column("Feedback after"),
                "cheaper_alternatives": ui.count_column("Cheaper models"),
                "eligible_alternatives": ui.count_column("Eligible models"),
                "reason": st.column_config.TextColumn("Why", width="large"),
            },
        )
