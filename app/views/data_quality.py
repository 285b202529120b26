"""Data quality: what ingest rejected and why, calls without a price, model names nobody knows, and how fresh and
how late the data is."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui


def count_bars(frame: pl.DataFrame, category: str, measure: str, x_title: str, y_title: str) -> alt.Chart:
    return (
        alt.Chart(frame.to_arrow())
        .mark_bar()
        .encode(
            x=alt.X(f"{measure}:Q", title=x_title),
            y=alt.Y(f"{category}:N", title=y_title, sort="-x", axis=alt.Axis(labelLimit=300)),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=y_title),
                alt.Tooltip(f"{measure}:Q", title=x_title, format=","),
            ],
        )
    )


def section(title: str, caption: str, frame: pl.DataFrame, all_clear: str) -> bool:
    """A check's heading; says so and returns False when it found nothing."""
    st.subheader(title)
    st.caption(caption)
    if frame.is_empty():
        st.success(all_clear, icon=":material/check_circle:")
        return False
    return True


def by_reason(frame: pl.DataFrame, chart: tuple[str, str, str, int], title: str, columns: dict) -> None:
    """Bars of `measure` per `reason` (chart: reason, measure, the bars' title, height), then the table."""
    reason, measure, bars_title, height = chart
    totals = frame.group_by(reason).agg(pl.col(measure).sum())
    ui.show(count_bars(totals, reason, measure, bars_title, "Reason"), height=height)
    ui.table(frame, title, columns)


def freshness(result: data.DataQuality, serve: data.Serve) -> None:
    published = data.publication(serve).published_at
    last = result.last_quarantined_at
    ui.metrics(
        ("Published", f"{published:%Y-%m-%d %H:%M} UTC" if published else "–"),
        ("Last day with calls", str(result.last_usage_day or "–")),
        ("Last day calls arrived", str(result.last_arrival_day or "–")),
        ("Last record quarantined", f"{last:%Y-%m-%d %H:%M} UTC" if last else "never"),
    )


view = shell.page(
    "Data quality",
    "What the warehouse could not take, could not price or did not recognise.",
    applies="dates; providers and models for unpriced calls and unknown models",
    ignores=("workspaces", "tags"),
)
if view is not None:
    result = data.data_quality(view.serve, view.filters)
    st.subheader("Freshness")
    freshness(result, view.serve)

    if section(
        "Quarantine by reason",
        "Records ingest rejected, by the UTC day they were quarantined; fix the file and land it again.",
        result.quarantine,
        "No record was quarantined in this range.",
    ):
        by_reason(
            result.quarantine,
            ("reason_code", "records", "Records rejected", 180),
            "quarantine",
            {
                "reason_code": ui.text_column("Reason"),
                "record_type": ui.text_column("Record type"),
                "source_file": ui.text_column("Landing file"),
                "records": ui.count_column("Records"),
                "first_line": ui.count_column("First line"),
                "last_line": ui.count_column("Last line"),
                "example_reason_message": st.column_config.TextColumn("Example", width="large"),
            },
        )
    if section(
        "Unpriced usage",
        "Calls without a cost: their spend is unknown, not zero, and missing from every spend figure.",
        result.unpriced,
        "Every call in this range has a price.",
    ):
        by_reason(
            result.unpriced,
            ("unpriced_reason", "unpriced_calls", "Unpriced calls", 160),
            "unpriced usage",
            {
                "unpriced_reason": ui.text_column("Reason"),
                "model": ui.text_column("Model"),
                "provider": ui.text_column("Provider"),
                "unpriced_calls": ui.count_column("Calls"),
                "tokens": ui.count_column("Tokens"),
            },
        )
    if section(
        "Unknown models",
        "Model names the catalog does not know: add an alias (seeds/model_aliases.csv) or a price.",
        result.unknown_models,
        "Every model name in this range is known.",
    ):
        ui.table(
            result.unknown_models,
            "unknown models",
            {
                "model_raw": ui.text_column("Name as reported"),
                "provider": ui.text_column("Provider"),
                "calls": ui.count_column("Calls"),
                "provider_reported_calls": ui.count_column("With a reported cost"),
                "provider_cost_usd": ui.money_column("Reported cost"),
                "first_seen": ui.day_column("First seen"),
                "last_seen": ui.day_column("Last seen"),
            },
        )

    st.subheader("How late calls arrive")
    st.caption("Calls of the range by the days between the call and its ingestion (UTC days).")
    if result.lateness.is_empty():
        ui.empty("No calls in this range", "Widen the dates in the sidebar.")
    else:
        ui.show(
            alt.Chart(result.lateness.to_arrow())
            .mark_bar()
            .encode(
                x=alt.X("lateness_bucket:N", title="Arrived", sort=list(data.LATENESS_ORDER)),
                y=alt.Y("calls:Q", title="Calls"),
                tooltip=[
                    alt.Tooltip("lateness_bucket:N", title="Arrived"),
                    alt.Tooltip("calls:Q", title="Calls", format=","),
                ],
            ),
            height=220,
        )
        ui.table(
            result.lateness,
            "arrival lateness",
            {
                "lateness_bucket": ui.text_column("Arrived"),
                "calls": ui.count_column("Calls"),
                "cost_usd": ui.money_column("Spend"),
            },
        )
