"""Feedback and quality: what users, annotators and evals say about each model, next to what it costs."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui

MIN_SCORED = 20  # scored feedback (thumbs + ratings) a model needs before it is placed on the map
VERDICTS = {
    (True, True): "Better but dearer",
    (True, False): "Better and cheaper",
    (False, True): "Worse and dearer",
    (False, False): "Worse but cheaper",
}


def verdicts(by_model: pl.DataFrame) -> pl.DataFrame:
    """Each model with enough evidence against the medians of those models: better (quality above the median
    score) and dearer (cost per 1k tokens above the median cost). Others: 'too little feedback'."""
    placed = by_model.filter((pl.col("scored_feedback") >= MIN_SCORED) & pl.col("usd_per_1k_tokens").is_not_null())
    if placed.is_empty():
        return by_model.with_columns(pl.lit("Too little feedback").alias("verdict"))
    quality_median = placed["quality_score"].median()
    cost_median = placed["usd_per_1k_tokens"].cast(pl.Float64).median()
    better = pl.col("quality_score") > quality_median
    dearer = pl.col("usd_per_1k_tokens").cast(pl.Float64) > cost_median
    verdict = pl.when(~pl.col("model").is_in(placed["model"].implode())).then(pl.lit("Too little feedback"))
    for (is_better, is_dearer), label in VERDICTS.items():
        verdict = verdict.when((better == is_better) & (dearer == is_dearer)).then(pl.lit(label))
    return by_model.with_columns(verdict.alias("verdict"))


def quality_map(frame: pl.DataFrame) -> alt.Chart:
    placed = ui.chart_ready(frame.filter(pl.col("verdict") != "Too little feedback"))
    points = (
        alt.Chart(placed)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("usd_per_1k_tokens:Q", title="Cost per 1,000 tokens (USD)", axis=alt.Axis(format="$,.4~f")),
            y=alt.Y("quality_score:Q", title="Quality score (0 worst – 1 best)", scale=alt.Scale(zero=False)),
            size=alt.Size("scored_feedback:Q", title="Scored feedback", legend=None),
            color=alt.Color(
                "verdict:N",
                title="Against the median model",
                scale=alt.Scale(domain=list(VERDICTS.values()), range=["#ff7f0e", "#2ca02c", "#d62728", "#7f7f7f"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("model:N", title="Model"),
                alt.Tooltip("quality_score:Q", title="Quality score", format=".3f"),
                alt.Tooltip("usd_per_1k_tokens:Q", title="Cost per 1k tokens", format="$,.4f"),
                alt.Tooltip("scored_feedback:Q", title="Scored feedback", format=","),
                alt.Tooltip("verdict:N", title="Verdict"),
            ],
        )
    )
    labels = points.mark_text(align="left", dx=8, fontSize=11).encode(text="model:N", size=alt.value(11))
    return points + labels


view = shell.page(
    "Feedback and quality",
    "What people say about each model's answers, and what those answers cost.",
    applies="dates, workspaces, providers, models",
    ignores=shell.NO_TAGS,
)
if view is not None:
    result = data.quality(view.serve, view.filters)
    if result.by_model.is_empty():
        ui.empty("No feedback in this range")
    else:
        by_model = verdicts(result.by_model)
        totals = by_model.select(pl.col("feedback_count", "thumbs_count", "thumbs_up_count", "comment_count").sum())
        thumbs = totals["thumbs_count"][0]
        up_rate = f"{totals['thumbs_up_count'][0] / thumbs:.1%}" if thumbs else "–"
        ui.metrics(
            ("Feedback", ui.count(totals["feedback_count"][0])),
            ("Thumbs up", up_rate, "Thumbs up ÷ all valid thumbs."),
            ("Comments", ui.count(totals["comment_count"][0])),
        )
        st.subheader("Better but dearer?")
        st.caption(
            f"Each model with at least {MIN_SCORED} scored feedback events, placed by quality (thumbs up = 1, "
            "down = 0, a 1–5 rating r = (r − 1) / 4, averaged) and by cost per 1,000 tokens of its priced calls. "
            "The verdict compares it with the median of these models: top right is better but dearer."
        )
        dearer = by_model.filter(pl.col("verdict") == "Better but dearer")["model"].to_list()
        if dearer:
            st.info(f"Better but dearer: {', '.join(dearer)}.", icon=":material/balance:")
        if (by_model["verdict"] != "Too little feedback").any():
            ui.show(quality_map(by_model), height=360)
        ui.table(
            by_model,
            "feedback and quality by model",
            {
                "model": ui.text_column("Model"),
                "verdict": ui.text_column("Verdict"),
                "feedback_count": ui.count_column("Feedback"),
                "scored_feedback": ui.count_column("Scored (thumbs + ratings)"),
                "thumbs_up_rate": ui.percent_column("Thumbs up"),
                "mean_rating": ui.number_column("Mean rating (1–5)", 2),
                "quality_score": ui.number_column("Quality score", 3),
                "usd_per_1k_tokens": st.column_config.NumberColumn("Cost per 1k tokens", format="$%.4f"),
                "spend_usd": ui.money_column("Spend"),
                "comment_count": ui.count_column("Comments"),
            },
        )
        if not result.categories.is_empty():
            st.subheader("Feedback categories")
            ui.show(
                alt.Chart(result.categories.head(15).to_arrow())
                .mark_bar()
                .encode(
                    x=alt.X("feedback_count:Q", title="Feedback"),
                    y=alt.Y("category:N", title="Category", sort="-x"),
                    tooltip=[
                        alt.Tooltip("category:N", title="Category"),
                        alt.Tooltip("feedback_count:Q", title="Feedback", format=","),
                    ],
                ),
                height=max(120, 26 * min(15, result.categories.height)),
            )
            ui.table(
                result.categories,
                "feedback categories",
                {"category": ui.text_column("Category"), "feedback_count": ui.count_column("Feedback")},
            )
