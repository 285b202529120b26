"""What-if repricing: what the same token mix would have cost on another model, by the warehouse's own cost rules."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, filters, shell, ui

BUCKET_LABELS = dict(zip(data.WHATIF_BUCKETS, (label for label, _, _ in data.BUCKETS), strict=True))
DIFFERENCE = "Provider-reported difference"


def bucket_rows(buckets: pl.DataFrame, actual_total: object) -> pl.DataFrame:
    """Per bucket, actual next to repriced; the actual total's part not split into buckets (provider-reported
    costs) as its own line, so the rows add up to both totals."""
    rows = buckets.with_columns(pl.col("bucket").replace_strict(BUCKET_LABELS))
    difference = actual_total - rows["actual_usd"].sum()
    if difference:
        extra = pl.DataFrame(
            [{"bucket": DIFFERENCE, "tokens": None, "actual_usd": difference, "repriced_usd": 0}], schema=rows.schema
        )
        rows = pl.concat([rows, extra])
    return rows.with_columns((pl.col("actual_usd") - pl.col("repriced_usd")).alias("saving_usd"))


def compare_chart(rows: pl.DataFrame, target: str) -> alt.Chart:
    long = rows.unpivot(index="bucket", on=["actual_usd", "repriced_usd"], variable_name="which", value_name="usd")
    long = long.with_columns(pl.col("which").replace_strict({"actual_usd": "Actual", "repriced_usd": f"On {target}"}))
    return (
        alt.Chart(ui.chart_ready(long.filter(pl.col("usd") != 0)))
        .mark_bar()
        .encode(
            x=alt.X("usd:Q", title="Cost (USD)", axis=alt.Axis(format="$,.2~f")),
            y=alt.Y("bucket:N", title="Token bucket", sort=list(BUCKET_LABELS.values()) + [DIFFERENCE]),
            yOffset=alt.YOffset("which:N"),
            color=alt.Color("which:N", title="Cost", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("bucket:N", title="Bucket"),
                alt.Tooltip("which:N", title="Cost"),
                alt.Tooltip("usd:Q", title="USD", format=ui.MONEY_TOOLTIP),
            ],
        )
    )


view = shell.page(
    "What-if repricing",
    "What the same calls — the same token mix — would have cost on another model, priced by the warehouse's rules.",
    applies="dates, workspaces (or all), models (the models the calls used)",
    ignores=("providers", "tags"),
)
if view is not None:
    targets = data.whatif_targets(view.serve, view.filters)
    if targets.is_empty():
        ui.empty("No calls to reprice in this range")
    else:
        labels = {
            row["target_llm_id"]: f"{row['target_display_name'] or row['target_llm_id']} ({row['target_provider']})"
            for row in targets.iter_rows(named=True)
        }
        target = filters.page_choice("target", "Target model", labels, default=next(iter(labels)), menu=True)
        result = data.whatif(view.serve, view.filters, target)
        totals = targets.filter(pl.col("target_llm_id") == target).row(0, named=True)
        saving = totals["saving_usd"]
        ui.metrics(
            ("Calls repriced", ui.count(totals["calls"])),
            ("Actual cost", ui.money(totals["actual_usd"])),
            (f"On {target}", ui.money(totals["repriced_usd"])),
            (
                "Saving" if saving >= 0 else "Extra cost",
                ui.money(abs(saving)),
                "Actual cost − cost on the target (same tokens, the target's price rows, tiers and fallbacks).",
            ),
        )
        if result.left_out_calls:
            st.caption(
                f"{result.left_out_calls:,} calls on days {target} was priced for only part of the day are left out "
                "of both sides (the target launched or retired mid-day)."
            )
        rows = bucket_rows(result.buckets, totals["actual_usd"])
        st.subheader("Per token bucket")
        ui.show(compare_chart(rows, target), height=max(140, 48 * rows.height))
        ui.table(
            rows,
            "what-if by token bucket",
            {
                "bucket": ui.text_column("Bucket"),
                "tokens": ui.count_column("Tokens"),
                "actual_usd": ui.money_column("Actual"),
                "repriced_usd": ui.money_column(f"On {target}"),
                "saving_usd": ui.money_column("Saving"),
            },
        )
        st.subheader("Per model the calls used")
        ui.table(
            result.by_model,
            "what-if by source model",
            {
                "source_model": ui.text_column("Model used"),
                "calls": ui.count_column("Calls"),
                "actual_usd": ui.money_column("Actual"),
                "repriced_usd": ui.money_column(f"On {target}"),
                "saving_usd": ui.money_column("Saving"),
            },
        )
        st.subheader("Every target, cheapest first")
        ui.table(
            targets,
            "what-if targets",
            {
                "target_llm_id": ui.text_column("Model"),
                "target_provider": ui.text_column("Provider"),
                "calls": ui.count_column("Calls repriced"),
                "actual_usd": ui.money_column("Actual"),
                "repriced_usd": ui.money_column("On this model"),
                "saving_usd": ui.money_column("Saving"),
            },
        )
