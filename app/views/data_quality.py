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


def freshness(result: data.DataQuality, serve: data.Serve) -> None:
    published = data.publication(serve).published_at
    columns = st.columns(4)
    columns[0].metric("Published", f"{published:%Y-%m-%d %H:%M} UTC" if published else "–", border=True)
    columns[1].metric("Last day with calls", str(result.last_usage_day or "–"), border=True)
    columns[2].metric("Last day calls arrived", str(result.last_arrival_day or "–"), border=True)
    last = result.last_quarantined_at
    columns[3].metric("Last record quarantined", f"{last:%Y-%m-%d %H:%M} UTC" if last else "never", border=True)


view = shell.page("Data quality", "What the warehouse could not take, could not price or did not recognise.")
if view is not None:
    shell.scope_note(
        view, "dates; providers and models for unpriced calls and unknown models", ignores=("workspaces", "tags")
    )
    result = data.data_quality(view.serve, view.filters)
    st.subheader("Freshness")
    freshness(result, view.serve)

    st.subheader("Quarantine by reason")
    st.caption("Records ingest rejected, by the UTC day they were quarantined; fix the file and land it again.")
    if result.quarantine.is_empty():
        st.success("No record was quarantined in this range.", icon=":material/check_circle:")
    else:
        by_reason = result.quarantine.group_by("reason_code").agg(pl.col("records").sum())
        ui.show(count_bars(by_reason, "reason_code", "records", "Records rejected", "Reason"), height=180)
        ui.table(
            result.quarantine,
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

    st.subheader("Unpriced usage")
    st.caption("Calls without a cost: their spend is unknown, not zero, and missing from every spend figure.")
    if result.unpriced.is_empty():
        st.success("Every call in this range has a price.", icon=":material/check_circle:")
    else:
        by_reason = result.unpriced.group_by("unpriced_reason").agg(pl.col("unpriced_calls").sum())
        ui.show(count_bars(by_reason, "unpriced_reason", "unpriced_calls", "Unpriced calls", "Reason"), height=160)
        ui.table(
            result.unpriced,
            "unpriced usage",
            {
                "unpriced_reason": ui.text_column("Reason"),
                "model": ui.text_column("Model"),
                "provider": ui.text_column("Provider"),
                "unpriced_calls": ui.count_column("Calls"),
                "tokens": ui.count_column("Tokens"),
            },
        )

    st.subheader("Unknown models")
    st.caption("Model names the catalog does not know: add an alias (seeds/model_aliases.csv) or a price.")
    if result.unknown_models.is_empty():
        st.success("Every model name in this range is known.", icon=":material/check_circle:")
    else:
        ui.table(
            result.unknown_models,
            "unknown models",
            {
                "model_raw": ui.text_column("Name as reported"),
                "provider": ui.text_column("Provider"),
                "calls": ui.count_column("Calls"),
                "provider_reported_calls": ui.count_column("With a reported cost"),
                "provider_cost_usd": ui.money_column("Reported cost"),
                "first_seen": st.column_config.DateColumn("First seen", format="YYYY-MM-DD"),
                "last_seen": st.column_config.DateColumn("Last seen", format="YYYY-MM-DD"),
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
