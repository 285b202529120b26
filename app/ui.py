"""Presentation helpers: money and number formats, charts (Altair), tables with a CSV download, empty states.

Money arrives as DECIMAL; tables keep it DECIMAL rounded half-even to the cent, and only charts get floats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

import altair as alt
import polars as pl
import streamlit as st

CENTS = pl.Decimal(38, 2)
MONEY_AXIS = "$,.2f"
MONEY_TOOLTIP = "$,.2f"


def money(amount: Decimal | int | None) -> str:
    """$1,234.56 (half-even to the cent); a minus sign before the dollar."""
    if amount is None:
        return "–"
    value = Decimal(amount)
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def per_unit(amount: Decimal, units: int, per: int = 1) -> str:
    """Money per unit (per 1,000 units with per=1000), with more digits when the figure is small."""
    if not units:
        return "–"
    value = Decimal(amount) * per / units
    return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"


def to_cents(frame: pl.DataFrame) -> pl.DataFrame:
    """Every DECIMAL money column (name ends in _usd) rounded half-even to the cent, still DECIMAL."""
    money_columns = [name for name in frame.columns if name.endswith("_usd")]
    return frame.with_columns(pl.col(name).round(2).cast(CENTS) for name in money_columns)


def chart_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """The chart boundary: DECIMAL money becomes float here, and only here."""
    return frame.with_columns(
        pl.col(name).cast(pl.Float64) for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)
    )


def metrics(*cards: tuple[str, str] | tuple[str, str, str]) -> None:
    """A row of bordered metrics, one per card: (label, value) or (label, value, help)."""
    for column, (label, value, *hint) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(label, value, help=hint[0] if hint else None, border=True)


WIDEN = "Widen the dates or clear a filter in the sidebar."


def empty(message: str, hint: str = WIDEN) -> None:
    st.info(f"**{message}.** {hint}".strip(), icon=":material/search_off:")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def table(
    frame: pl.DataFrame,
    title: str,
    columns: Mapping[str, st.column_config.Column | str],
    *,
    file_name: str | None = None,
    height: int | None = None,
) -> None:
    """A table of the given columns (money to the cent) and a CSV download of exactly what it shows."""
    shown = to_cents(frame.select(list(columns)))
    st.dataframe(shown, hide_index=True, column_config=dict(columns), height=height or "auto", placeholder="–")
    st.download_button(
        f"Download {title} (CSV)",
        shown.write_csv().encode(),
        file_name=file_name or f"{_slug(title)}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"download-{_slug(title)}",
    )


def money_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="dollar", help=help)


def count_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="localized", help=help)


def bars(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    horizontal: bool = False,
    color: str | None = None,
    color_title: str | None = None,
    tooltip: list[alt.Tooltip] | None = None,
    temporal: bool = False,
) -> alt.Chart:
    """A bar chart with worded axes; `y` is the money measure (USD) unless the caller says otherwise."""
    category = alt.X(f"{x}:T" if temporal else f"{x}:N", title=x_title)
    value = alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format="$,.2~f"))
    if horizontal:
        category = alt.Y(f"{x}:N", title=x_title, sort="-x")
        value = alt.X(f"{y}:Q", title=y_title, axis=alt.Axis(format="$,.2~f"))
    encoding = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color_title or color, legend=alt.Legend(orient="bottom"))
    chart = alt.Chart(chart_ready(frame).to_arrow()).mark_bar().encode(**encoding)
    return chart.encode(tooltip=tooltip) if tooltip else chart


def show(chart: alt.Chart, height: int = 320) -> None:
    st.altair_chart(chart.properties(height=height), width="stretch", height=height + 80)  # + axis and legend


def percent_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="percent", help=help)


def number_column(label: str, digits: int = 0, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format=f"%.{digits}f", help=help)


def day_column(label: str = "Day") -> st.column_config.DateColumn:
    return st.column_config.DateColumn(label, format="YYYY-MM-DD")


def text_column(label: str, help: str | None = None) -> st.column_config.TextColumn:
    return st.column_config.TextColumn(label, help=help)
