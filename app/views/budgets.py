"""Budgets and alerts: spend against each workspace's monthly budget, the crossings on a timeline, and the
workspaces forecast to overrun."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from app import data, shell, ui

SEVERITY_COLORS = {"critical": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}


def timeline(alerts: pl.DataFrame) -> alt.Chart:
    frame = ui.chart_ready(
        alerts.with_columns(
            pl.coalesce("workspace_name", "workspace_id").alias("workspace"),
            pl.when(pl.col("alert_type") == "budget_threshold")
            .then(pl.col("threshold_pct").cast(pl.String) + pl.lit(" % of budget"))
            .otherwise(pl.lit("forecast over budget"))
            .alias("what"),
        )
    )
    return (
        alt.Chart(frame)
        .mark_point(size=160, filled=True)
        .encode(
            x=alt.X("occurred_at:T", title="When (UTC hour)"),
            y=alt.Y("workspace:N", title="Workspace", axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "severity:N",
                title="Severity",
                scale=alt.Scale(domain=list(SEVERITY_COLORS), range=list(SEVERITY_COLORS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape("what:N", title="Alert", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("occurred_at:T", title="When", format="%Y-%m-%d %H:00"),
                alt.Tooltip("message:N", title="Alert"),
            ],
        )
    )


TOP_BUDGETS = 15


def budget_chart(month: pl.DataFrame) -> alt.Chart:
    """Spent and forecast as a share of each workspace's own budget (budgets differ by 1000x), the 100 % line."""
    frame = ui.chart_ready(
        month.filter(pl.col("budget_usd").is_not_null())
        .sort("forecast_pct_of_budget", descending=True, nulls_last=True)
        .head(TOP_BUDGETS)
        .with_columns(pl.coalesce("workspace_name", "workspace_id").alias("workspace"))
    )
    order = frame["workspace"].to_list()
    y = alt.Y("workspace:N", title="Workspace", sort=order, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("workspace:N", title="Workspace"),
        alt.Tooltip("spend_usd:Q", title="Spent", format=ui.MONEY_TOOLTIP),
        alt.Tooltip("forecast_usd:Q", title="Forecast", format=ui.MONEY_TOOLTIP),
        alt.Tooltip("budget_usd:Q", title="Budget", format=ui.MONEY_TOOLTIP),
    ]
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    forecast = base.mark_bar(color="#c6dbef").encode(
        x=alt.X("forecast_pct_of_budget:Q", title="Share of the month's budget (%)")
    )
    spent = base.mark_bar(color="#1f77b4", height=10).encode(x="spend_pct_of_budget:Q")
    budget = alt.Chart().mark_rule(color="#d62728", strokeWidth=2).encode(x=alt.datum(100))
    return alt.layer(forecast, spent, budget, data=frame)


view = shell.page(
    "Budgets and alerts",
    "Spend against each workspace's monthly budget, and when it crossed a line.",
    applies="dates (the UTC months they touch, and the alerts in them), workspaces",
    ignores=shell.WORKSPACES_ONLY,
)
if view is not None:
    result = data.budgets(view.serve, view.filters)
    if result.status.is_empty():
        ui.empty("No spend in these months", "Widen the dates or clear the workspace filter in the sidebar.")
    else:
        latest = result.status["period_month"].max()
        month = result.status.filter(pl.col("period_month") == latest)
        overrun = month.filter(pl.col("is_forecast_over_budget") & ~pl.col("is_over_budget"))
        ui.metrics(
            ("Workspaces with a budget", ui.count(month["budget_usd"].is_not_null().sum())),
            ("Over budget", ui.count(int(month["is_over_budget"].fill_null(False).sum()))),
            ("Forecast to overrun", ui.count(overrun.height)),
            ("Alerts in range", ui.count(result.alerts.height)),
        )
        st.subheader(f"{latest:%B %Y}: spent, forecast and budget")
        st.caption(
            f"The {TOP_BUDGETS} workspaces closest to their budget. Dark bar: spent so far; light bar: month-end "
            "forecast (the last 7 days' hourly run rate carried to month end); red line: the budget. UTC months; as "
            "of the data's last hour."
        )
        if month["budget_usd"].is_null().all():
            st.caption("No workspace has a budget this month (seeds/workspace_budgets.csv or its snapshot).")
        else:
            ui.show(budget_chart(month), height=max(140, 30 * min(TOP_BUDGETS, month.height)))
        if overrun.height:
            names = ", ".join(overrun.select(pl.coalesce("workspace_name", "workspace_id")).to_series().to_list())
            st.warning(f"Forecast to overrun this month: {names}.", icon=":material/trending_up:")
        st.subheader("Alerts on a timeline")
        if result.alerts.is_empty():
            st.success("No threshold crossed and no overrun forecast in this range.", icon=":material/check_circle:")
        else:
            ui.show(timeline(result.alerts), height=max(140, 32 * result.alerts["workspace_id"].n_unique()))
            ui.table(
                result.alerts,
                "alerts",
                {
                    "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
                    "severity": ui.text_column("Severity"),
                    "message": st.column_config.TextColumn("Alert", width="large"),
                    "spend_usd": ui.money_column("Spent then"),
                    "budget_usd": ui.money_column("Budget"),
                    "forecast_usd": ui.money_column("Forecast"),
                },
            )
        st.subheader("Every workspace and month")
        ui.table(
            result.status,
            "budget status",
            {
                "period_month": st.column_config.DateColumn("Month", format="YYYY-MM"),
                "workspace_id": ui.text_column("Workspace"),
                "workspace_name": ui.text_column("Name"),
                "budget_usd": ui.money_column("Budget"),
                "spend_usd": ui.money_column("Spent"),
                "spend_pct_of_budget": ui.number_column("Spent of budget (%)", 1),
                "forecast_usd": ui.money_column("Forecast"),
                "forecast_pct_of_budget": ui.number_column("Forecast of budget (%)", 1),
                "highest_threshold_crossed_pct": ui.count_column("Highest crossing (%)"),
                "budget_source": ui.text_column("Budget from"),
            },
        )
