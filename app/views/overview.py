"""Overview: spend, calls, active users and unit costs for the chosen range; spend per day and by model."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui


def headline(figures: data.Overview) -> None:
    ui.metrics(
        ("Total spend", ui.money(figures.spend_usd)),
        ("Calls", ui.count(figures.calls)),
        ("Active users", ui.count(figures.active_users)),
        (
            "Cost per call",
            ui.per_unit(figures.spend_usd, figures.priced_calls),
            "Spend ÷ priced calls (calls without a price are left out of both).",
        ),
        (
            "Cost per 1k tokens",
            ui.per_unit(figures.spend_usd, figures.tokens, per=1000),
            "Spend ÷ all tokens (input + output) × 1,000.",
        ),
    )
    if figures.unpriced_calls:
        noun = "call has" if figures.unpriced_calls == 1 else "calls have"
        st.warning(
            f"{figures.unpriced_calls:,} {noun} no price (unknown model or no price in force); "
            "their cost is not in these figures.",
            icon=":material/price_change:",
        )


def charts(figures: data.Overview) -> None:
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Spend per day")
        ui.show(
            ui.bars(
                figures.by_day,
                x="usage_date",
                y="spend_usd",
                x_title="Day",
                y_title="Spend (USD)",
                temporal=True,
                tooltip=[
                    alt.Tooltip("usage_date:T", title="Day", format="%a %Y-%m-%d"),
                    alt.Tooltip("spend_usd:Q", title="Spend", format=ui.MONEY_TOOLTIP),
                    alt.Tooltip("calls:Q", title="Calls", format=","),
                ],
            )
        )
    with right:
        st.subheader("Spend by model")
        ui.show(
            ui.bars(
                figures.by_model.head(12),
                x="model",
                y="spend_usd",
                x_title="Model",
                y_title="Spend (USD)",
                horizontal=True,
                tooltip=[
                    alt.Tooltip("model:N", title="Model"),
                    alt.Tooltip("spend_usd:Q", title="Spend", format=ui.MONEY_TOOLTIP),
                    alt.Tooltip("calls:Q", title="Calls", format=","),
                ],
            )
        )


def models_table(figures: data.Overview) -> None:
    st.subheader("Models")
    total = float(figures.spend_usd)
    share = pl.col("spend_usd").cast(pl.Float64) / total if total else pl.lit(None, pl.Float64)
    ui.table(
        figures.by_model.with_columns(share.alias("share_of_spend")),
        "spend by model",
        {
            "model": st.column_config.TextColumn("Model"),
            "calls": ui.count_column("Calls"),
            "unpriced_calls": ui.count_column("Unpriced calls"),
            "tokens": ui.count_column("Tokens"),
            "spend_usd": ui.money_column("Spend"),
            "share_of_spend": st.column_config.ProgressColumn(
                "Share of spend", format="percent", min_value=0, max_value=1
            ),
        },
    )


view = shell.page("Overview", "What the chosen range cost, and where it went.")
if view is not None:
    figures = data.overview(view.serve, view.filters)
    if figures.calls == 0:
        ui.empty("No calls in this range")
    else:
        headline(figures)
        charts(figures)
        models_table(figures)
