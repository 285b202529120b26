"""Invoices: what each workspace is billed per month (usage, adjustments, credits), and each invoice's lines."""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl
import streamlit as st

from app import data, filters, shell, ui

KINDS = {"usage_usd": "Usage", "adjustment_usd": "Adjustments", "credit_usd": "Credits"}


TOP_WORKSPACES = 15


def by_kind(invoices: pl.DataFrame, index: str) -> pl.DataFrame:
    """Long form for a stacked chart: `index`, kind, amount (zero parts left out)."""
    sums = invoices.group_by(index).agg(pl.col(name).sum() for name in KINDS)
    long = sums.unpivot(index=index, variable_name="kind", value_name="amount_usd")
    return long.with_columns(pl.col("kind").replace_strict(KINDS)).filter(pl.col("amount_usd") != 0)


def stacked(frame: pl.DataFrame, category: alt.X | alt.Y, horizontal: bool) -> alt.Chart:
    amount = alt.Axis(format="$,.2~f")
    value = (alt.X if horizontal else alt.Y)("amount_usd:Q", title="Amount billed (USD)", axis=amount)
    encoding = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    return (
        alt.Chart(ui.chart_ready(frame))
        .mark_bar()
        .encode(
            **encoding,
            color=alt.Color(
                "kind:N",
                title="Charge",
                scale=alt.Scale(domain=list(KINDS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("kind:N", title="Charge"),
                alt.Tooltip("amount_usd:Q", title="Amount", format="$,.2f"),
            ],
        )
    )


def invoice_label(row: dict[str, object]) -> str:
    who = row["workspace_name"] or row["workspace_id"]
    return f"{row['billing_period']:%Y-%m} · {who} · {ui.money(row['total_usd'])}"


def totals_section(invoices: pl.DataFrame) -> None:
    ui.metrics(
        ("Invoices", ui.count(invoices.height)),
        ("Billed", ui.money(invoices["total_usd"].sum())),
        (
            "Adjustments",
            ui.money(invoices["adjustment_usd"].sum()),
            "Late usage of a closed month, billed in the first open month.",
        ),
        ("Credits", ui.money(invoices["credit_usd"].sum())),
    )
    named = invoices.with_columns(pl.coalesce("workspace_name", "workspace_id").alias("workspace"))
    top = named.group_by("workspace").agg(pl.col("total_usd").sum()).sort("total_usd", descending=True)
    order = top["workspace"].head(TOP_WORKSPACES).to_list()
    months = invoices["billing_period"].n_unique()
    left, right = st.columns([3, 2]) if months > 1 else (st.container(), None)
    with left:
        st.subheader("Billed per workspace")
        if len(top) > TOP_WORKSPACES:
            st.caption(f"The {TOP_WORKSPACES} largest of {len(top)}; the table below has them all.")
        shown = by_kind(named.filter(pl.col("workspace").is_in(order)), "workspace")
        axis = alt.Axis(labelLimit=260, labelOverlap=False)
        category = alt.Y("workspace:N", title="Workspace", sort=order, axis=axis)
        ui.show(stacked(shown, category, horizontal=True), height=max(140, 28 * len(order)))
    if right is not None:
        with right:
            st.subheader("Billed per month")
            category = alt.X("yearmonth(billing_period):O", title="Billing month")
            ui.show(
                stacked(by_kind(invoices, "billing_period"), category, horizontal=False),
                height=max(140, 28 * len(order)),
            )


def lines_section(serve: data.Serve, invoices: pl.DataFrame) -> None:
    st.subheader("Invoice lines")
    labels = {row["invoice_id"]: invoice_label(row) for row in invoices.iter_rows(named=True)}
    invoice_id = filters.page_choice("invoice", "Invoice", labels, default=next(iter(labels)), menu=True)
    lines = data.invoice_lines(serve, invoice_id)
    total = invoices.filter(pl.col("invoice_id") == invoice_id).row(0, named=True)
    st.caption(
        f"{lines.height} line{'s' if lines.height != 1 else ''}. The invoice total "
        f"({ui.money(total['total_usd'])}) is rounded to the cent once, from the unrounded sum of its lines, "
        "so the rounded lines may differ from it by a cent or two."
    )
    ui.table(
        lines,
        "invoice lines",
        {
            "model": st.column_config.TextColumn("Model"),
            "event_type": st.column_config.TextColumn("Charge"),
            "billing_events": ui.count_column("Billing events"),
            "first_service_period": st.column_config.DateColumn("First month of usage", format="YYYY-MM"),
            "last_service_period": st.column_config.DateColumn("Last month of usage", format="YYYY-MM"),
            "amount_usd": ui.money_column("Amount"),
        },
        file_name=f"invoice-{total['workspace_id']}-{total['billing_period']:%Y-%m}.csv",
    )


def focus_section(serve: data.Serve, invoices: pl.DataFrame) -> None:
    if "marts.focus_charges" not in data.catalog(serve):
        return
    st.subheader("FOCUS export")
    st.caption(
        "One billing month of every workspace's charges as a FinOps FOCUS 1.2 CSV (marts.focus_charges; the same "
        "file as `synapscale export focus --month YYYY-MM`), for finance and FinOps tools. Money unrounded."
    )
    months = {f"{month:%Y-%m}": f"{month:%B %Y}" for month in invoices["billing_period"].unique().sort(descending=True)}
    month = filters.page_choice("focus_month", "Billing month", months, default=next(iter(months)), menu=True)
    st.download_button(
        f"Download FOCUS {month} (CSV)",
        lambda: data.focus_csv(serve, date.fromisoformat(f"{month}-01")),
        file_name=f"focus_{month}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download-focus",
    )


view = shell.page(
    "Invoices",
    "What each workspace is billed per month: usage, adjustments and credits.",
    applies="dates (invoices are per workspace and UTC calendar month: the months that overlap them), workspaces",
    ignores=shell.WORKSPACES_ONLY,
)
if view is not None:
    invoices = data.invoices(view.serve, view.filters)
    if invoices.is_empty():
        ui.empty("No invoices in this range", "Widen the dates or clear the workspace filter in the sidebar.")
    else:
        totals_section(invoices)
        st.subheader("Invoices")
        ui.table(
            invoices.with_columns(
                pl.when(pl.col("is_period_closed")).then(pl.lit("Closed")).otherwise(pl.lit("Open")).alias("status")
            ),
            "invoices",
            {
                "billing_period": st.column_config.DateColumn("Month", format="YYYY-MM"),
                "workspace_id": st.column_config.TextColumn("Workspace"),
                "workspace_name": st.column_config.TextColumn("Name"),
                "usage_usd": ui.money_column("Usage"),
                "adjustment_usd": ui.money_column("Adjustments"),
                "credit_usd": ui.money_column("Credits"),
                "total_usd": ui.money_column("Total"),
                "status": st.column_config.TextColumn("Period", help="A closed month's invoice never changes."),
                "lines": ui.count_column("Lines"),
            },
        )
        lines_section(view.serve, invoices)
        focus_section(view.serve, invoices)
