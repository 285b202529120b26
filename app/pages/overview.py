"""Overview: spend, calls, active users and spend by model for the chosen range."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import data
from app.filters import sidebar

path = data.serve_path()
st.title("Overview")
filters = sidebar(path)
if filters is not None:
    totals = data.overview_totals(path, filters)
    spend = totals["spend_usd"]
    calls = totals["calls"]
    columns = st.columns(4)
    columns[0].metric("Total spend", f"${spend:,.2f}")
    columns[1].metric("Calls", f"{calls:,}")
    columns[2].metric("Active users", f"{totals['active_users']:,}")
    columns[3].metric("Cost per 1k calls", f"${spend * 1000 / calls:,.2f}" if calls else "–")
    unpriced = totals["unpriced_calls"]
    if unpriced:
        st.warning(
            f"{unpriced:,} {'call has' if unpriced == 1 else 'calls have'} no price (unknown model or no price "
            "in force); their cost is not in the total."
        )

    by_day = data.spend_by_day(path, filters)
    by_model = data.spend_by_model(path, filters)
    left, right = st.columns(2)
    with left:
        st.subheader("Spend per day (USD)")
        # DECIMAL stays DECIMAL until here: charts need floats.
        st.bar_chart(by_day.with_columns(pl.col("spend_usd").cast(pl.Float64)), x="usage_date", y="spend_usd")
    with right:
        st.subheader("Spend by model (USD)")
        st.bar_chart(
            by_model.with_columns(pl.col("spend_usd").cast(pl.Float64)),
            x="model",
            y="spend_usd",
            horizontal=True,
            sort="-spend_usd",
        )
    st.dataframe(
        by_model.with_columns(pl.col("spend_usd").round(2)),
        hide_index=True,
        column_config={"spend_usd": st.column_config.NumberColumn("Spend (USD)", format="%.2f")},
    )
