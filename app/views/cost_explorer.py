"""Cost explorer: spend by workspace, user, provider or model (or tag); what each token bucket cost; top spenders."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, filters, shell, ui

LABELS = {"workspace": "Workspace", "user": "User", "provider": "Provider", "model": "Model", "tag": "Tag"}
TOP_GROUPS = 15
DIFFERENCE = "Provider-reported difference"


def group_label(frame: pl.DataFrame, dimension: str) -> pl.Expr:
    """One readable name per row of the breakdown."""
    if dimension == "workspace":
        return pl.coalesce(pl.col("workspace_name") + " (" + pl.col("workspace_id") + ")", pl.col("workspace_id"))
    if dimension == "user":
        return pl.col("user_id") + " · " + pl.coalesce(pl.col("workspace_name"), pl.col("workspace_id"))
    return pl.col(data.DIMENSIONS[dimension][0])


BUCKET_COLORS = ("#1f77b4", "#9ecae1", "#6b6ecf", "#ff7f0e", "#fdae6b")


def bucket_costs(frame: pl.DataFrame) -> pl.DataFrame:
    """Long form for the stacked chart: group, bucket, its position in the stack, cost (zero parts left out)."""
    wide = frame.select("group", *(pl.col(cost).alias(label) for label, _, cost in data.BUCKETS))
    long = wide.unpivot(index="group", variable_name="bucket", value_name="cost_usd")
    position = {label: index for index, (label, _, _) in enumerate(data.BUCKETS)}
    return long.with_columns(pl.col("bucket").replace_strict(position, return_dtype=pl.Int8).alias("position")).filter(
        pl.col("cost_usd") != 0
    )


def bucket_totals(frame: pl.DataFrame) -> pl.DataFrame:
    """Tokens, cost, share of cost and price per 1M tokens for each bucket over the whole range."""
    rows = [
        {"bucket": label, "tokens": frame[tokens].sum(), "cost_usd": frame[cost].sum()}
        for label, tokens, cost in data.BUCKETS
    ]
    totals = pl.DataFrame(rows, schema={"bucket": pl.String, "tokens": pl.Int64, "cost_usd": pl.Decimal(38, 18)})
    difference = frame["spend_usd"].sum() - totals["cost_usd"].sum()
    if difference:
        extra = pl.DataFrame([{"bucket": DIFFERENCE, "tokens": None, "cost_usd": difference}], schema=totals.schema)
        totals = pl.concat([totals, extra])
    spend = float(frame["spend_usd"].sum() or 0)
    return totals.with_columns(
        (pl.col("cost_usd").cast(pl.Float64) / spend if spend else pl.lit(None, pl.Float64)).alias("share"),
        pl.when(pl.col("tokens") > 0)
        .then(pl.col("cost_usd").cast(pl.Float64) * 1_000_000 / pl.col("tokens"))
        .alias("usd_per_million"),
    )


def breakdown_section(result: data.CostExplorer, dimension: str) -> None:
    frame = result.breakdown.with_columns(group_label(result.breakdown, dimension).alias("group"))
    st.subheader(f"Spend by {LABELS[dimension].lower()}, split by token bucket")
    if dimension == "tag":
        st.caption("A call with several tags counts under each of them, so these rows add up to more than the total.")
    top = frame.head(TOP_GROUPS)
    order = top["group"].to_list()
    chart = (
        alt.Chart(ui.chart_ready(bucket_costs(top)))
        .mark_bar()
        .encode(
            x=alt.X("cost_usd:Q", title="Cost (USD)", axis=alt.Axis(format="$,.2~f"), stack="zero"),
            y=alt.Y("group:N", title=LABELS[dimension], sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            color=alt.Color(
                "bucket:N",
                title="Token bucket",
                scale=alt.Scale(domain=[label for label, _, _ in data.BUCKETS], range=list(BUCKET_COLORS)),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("position:Q"),
            tooltip=[
                alt.Tooltip("group:N", title=LABELS[dimension]),
                alt.Tooltip("bucket:N", title="Bucket"),
                alt.Tooltip("cost_usd:Q", title="Cost", format=ui.MONEY_TOOLTIP),
            ],
        )
    )
    shown = (
        f"The {TOP_GROUPS} largest of {frame.height:,}; the table has them all. " if frame.height > TOP_GROUPS else ""
    )
    st.caption(
        f"{shown}Bars split the computed cost by bucket; for calls whose cost the provider reported, the small "
        "difference to the reported cost is in the bucket table below, not in the bars."
    )
    ui.show(chart, height=max(160, 30 * len(order)))
    ui.table(
        frame,
        f"spend by {LABELS[dimension].lower()}",
        {
            "group": st.column_config.TextColumn(LABELS[dimension]),
            "calls": ui.count_column("Calls"),
            "unpriced_calls": ui.count_column("Unpriced calls"),
            "tokens": ui.count_column("Tokens"),
            "spend_usd": ui.money_column("Spend"),
            **{cost: ui.money_column(label) for label, _, cost in data.BUCKETS},
        },
    )


def buckets_section(result: data.CostExplorer) -> None:
    st.subheader("What each token bucket cost")
    st.caption(
        "Input and output are split into exclusive buckets, each at its own rate. Calls whose cost the provider "
        "reported are split at the computed rates; the gap to what the provider reported is its own line."
    )
    ui.table(
        bucket_totals(result.breakdown),
        "cost by token bucket",
        {
            "bucket": st.column_config.TextColumn("Bucket"),
            "tokens": ui.count_column("Tokens"),
            "cost_usd": ui.money_column("Cost"),
            "share": st.column_config.ProgressColumn("Share of spend", format="percent", min_value=0, max_value=1),
            "usd_per_million": st.column_config.NumberColumn("USD per 1M tokens", format="$%.4f"),
        },
    )


def top_spenders_section(result: data.CostExplorer) -> None:
    st.subheader("Top spenders")
    left, right = st.columns(2)
    with left:
        ui.table(
            result.top_workspaces,
            "top workspaces",
            {
                "workspace_id": st.column_config.TextColumn("Workspace"),
                "workspace_name": st.column_config.TextColumn("Name"),
                "calls": ui.count_column("Calls"),
                "spend_usd": ui.money_column("Spend"),
            },
        )
    with right:
        ui.table(
            result.top_users,
            "top users",
            {
                "user_id": st.column_config.TextColumn("User"),
                "workspace_id": st.column_config.TextColumn("Workspace"),
                "calls": ui.count_column("Calls"),
                "spend_usd": ui.money_column("Spend"),
            },
        )


view = shell.page("Cost explorer", "Who and what spent the money, and on which kind of tokens.")
if view is not None:
    offered = {name: LABELS[name] for name in data.dimensions(view.serve, view.filters.day_boundary)}
    dimension = filters.page_choice("by", "Group by", offered, default="workspace")
    result = data.cost_explorer(view.serve, view.filters, dimension)
    if result.breakdown.is_empty():
        ui.empty("No calls in this range")
    else:
        breakdown_section(result, dimension)
        buckets_section(result)
        top_spenders_section(result)
