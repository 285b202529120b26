"""Trends, Budgets and alerts, Churn risk and What-if repricing through AppTest: figures against hand-computed
fixtures and against polars over the demo warehouse's marts (read whole, filtered and summed here)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import polars as pl
from streamlit.testing.v1 import AppTest

from tests.app import expected
from tests.app.conftest import OpenApp, frame, metrics, texts
from tests.support.cli import Published


def days(column: pd.Series) -> list[date]:
    return [pd.Timestamp(day).date() for day in column]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_trends_of_one_workspace_by_hand(open_clean: OpenApp, published: Published) -> None:
    at = open_clean(
        published.serve_db, page="trends", workspace="ws-acme", **{"from": "2025-01-11", "to": "2025-01-12"}
    )
    table = frame(at, "spend per day")
    # ws-acme spent 0.435 (10 Jan), 1.75 (11 Jan), 0.036 + 0.015 = 0.051 (12 Jan; the unknown model adds 0).
    # The 7-day average counts the days of the series so far: (0.435 + 1.75) / 2 = 1.0925; 2.236 / 3 = 0.7453
    assert days(table["usage_date"]) == [date(2025, 1, 11), date(2025, 1, 12)]
    assert list(table["spend_usd"]) == [Decimal("1.75"), Decimal("0.05")]
    assert list(table["spend_7d_avg_usd"]) == [Decimal("1.09"), Decimal("0.75")]
    assert any("No anomalous day" in text for text in texts(at, "success"))


def test_trends_mark_the_demo_spike_as_an_anomaly(open_clean: OpenApp, demo_published: Published) -> None:
    at = open_clean(demo_published.serve_db, page="trends")
    mart = expected.table(demo_published.serve_db, "marts.workspace_spend_anomalies")
    last = expected.table(demo_published.serve_db, "marts.cost_daily")["usage_date"].max()
    want = mart.filter(pl.col("is_anomaly") & pl.col("usage_date").is_between(last - timedelta(days=29), last))
    assert (date(2025, 3, 20), "ws_0003") in set(want.select("usage_date", "workspace_id").iter_rows())
    table = frame(at, "spend anomalies")
    assert set(zip(days(table["usage_date"]), table["workspace_id"], strict=True)) == set(
        want.select("usage_date", "workspace_id").iter_rows()
    )
    assert metrics(at)["Anomalous days"] == str(want.height)
    spike = table[table["workspace_id"] == "ws_0003"].iloc[0]
    assert spike["spend_usd"] > Decimal(25)  # the $25 call and the day's usual calls
    marked = [spec for spec in charts(at) if "diamond" in json.dumps(spec)]
    assert marked, "the anomalies are marked on a chart"
    assert "Workspace spend per day (USD)" in json.dumps(marked[0])


def test_budgets_threshold_crossing_on_the_timeline_by_hand(open_clean: OpenApp, local_published: Published) -> None:
    # ws-acme has a $4.00 budget: 0.435 (10 Jan 10:00 UTC) + 1.75 (11 Jan 01:30) = 2.185 >= 50 % = 2.00, crossed in
    # the hour from 01:00 UTC on 11 January; its month reaches 2.236 (55.9 %), never 80 % (3.20).
    at = open_clean(local_published.serve_db, page="budgets")
    shown = metrics(at)
    assert shown["Workspaces with a budget"] == "2"
    assert shown["Over budget"] == "0"
    assert shown["Alerts in range"] == "1"
    alerts = frame(at, "alerts")
    assert len(alerts) == 1
    assert str(alerts["occurred_at"].iloc[0]).startswith("2025-01-11 01:00")
    assert "50%" in alerts["message"].iloc[0] and "$4.00" in alerts["message"].iloc[0]
    status = frame(at, "budget status")
    acme = status[status["workspace_id"] == "ws-acme"].iloc[0]
    assert (acme["budget_usd"], acme["spend_usd"]) == (Decimal("4.00"), Decimal("2.24"))  # 2.236
    assert round(acme["spend_pct_of_budget"], 1) == 55.9
    assert any("When (UTC hour)" in json.dumps(spec) for spec in charts(at))  # the timeline is drawn
    # a range after the crossing holds no alert, and another workspace none at all
    later = open_clean(local_published.serve_db, page="budgets", **{"from": "2025-01-12", "to": "2025-01-12"})
    assert metrics(later)["Alerts in range"] == "0"
    globex = open_clean(local_published.serve_db, page="budgets", workspace="ws-globex")
    assert metrics(globex)["Alerts in range"] == "0"


def test_churn_on_demo_data_matches_the_mart(open_clean: OpenApp, demo_published: Published) -> None:
    mart = expected.table(demo_published.serve_db, "marts.workspace_churn_risk")
    at = open_clean(demo_published.serve_db, page="churn")
    for level in ("high", "medium", "low"):
        assert metrics(at)[f"{level.capitalize()} risk"] == str((mart["churn_risk_level"] == level).sum())
    table = frame(at, "churn risk")
    riskiest = mart.sort(["churn_score", "workspace_id"], descending=[True, False])
    assert list(table["workspace_id"]) == riskiest["workspace_id"].to_list()
    assert list(table["reason"]) == riskiest["reason"].to_list()
    assert riskiest["churn_score"][0] >= 0.3  # --churn-rate 0.25: two workspaces fade out
    two = riskiest["workspace_id"].to_list()[-2:]
    filtered = open_clean(demo_published.serve_db, page="churn", workspace=two)
    assert sorted(frame(filtered, "churn risk")["workspace_id"]) == sorted(two)


def test_whatif_one_workspace_one_day_by_hand(open_clean: OpenApp, published: Published) -> None:
    # ws-globex on 11 January: evt-0003 (gpt-4o, 1M in, 200k out: 4.50) and evt-0004 (1,200 in, 300 out, reported
    # 1.25). On gpt-4o-mini (0.15 / 0.60 per 1M): 1,001,200 x 0.15 = 0.15018 and 200,300 x 0.60 = 0.12018.
    link = {"from": "2025-01-11", "to": "2025-01-11", "workspace": "ws-globex", "target": "gpt-4o-mini"}
    at = open_clean(published.serve_db, page="whatif", **link)
    shown = metrics(at)
    assert shown["Calls repriced"] == "2"
    assert shown["Actual cost"] == "$5.75"
    assert shown["On gpt-4o-mini"] == "$0.27"  # 0.27036
    assert shown["Saving"] == "$5.48"  # 5.47964
    buckets = frame(at, "what-if by token bucket")
    repriced = dict(zip(buckets["bucket"], buckets["repriced_usd"], strict=True))
    assert (repriced["Uncached input"], repriced["Visible output"]) == (Decimal("0.15"), Decimal("0.12"))
    # gpt-4o's list rates split the actual cost (2.503 + 2.003); the provider-reported 1.25 for evt-0004 is 1.244
    # above its list price (0.006): its own line, so the rows add up to 5.75
    actual = dict(zip(buckets["bucket"], buckets["actual_usd"], strict=True))
    assert (actual["Uncached input"], actual["Visible output"]) == (Decimal("2.50"), Decimal("2.00"))
    assert actual["Provider-reported difference"] == Decimal("1.24")
    assert at.query_params["target"] == "gpt-4o-mini"
    targets = frame(at, "what-if targets")  # cheapest first
    assert list(targets["repriced_usd"]) == sorted(targets["repriced_usd"])


def test_whatif_on_demo_data_matches_polars(open_clean: OpenApp, demo_published: Published) -> None:
    mart = expected.table(demo_published.serve_db, "marts.whatif_repricing_daily")
    last = expected.table(demo_published.serve_db, "marts.cost_daily")["usage_date"].max()
    start = last - timedelta(days=13)
    workspaces = sorted(mart["workspace_id"].unique())[:2]
    link = {"from": start.isoformat(), "to": last.isoformat(), "workspace": workspaces}
    at = open_clean(demo_published.serve_db, page="whatif", **link)
    rows = mart.filter(
        pl.col("usage_date").is_between(start, last)
        & pl.col("workspace_id").is_in(workspaces)
        & pl.col("is_fully_repriced")
    )
    per_target = rows.group_by("target_llm_id").agg(pl.col("repriced_cost_usd").sum(), pl.col("actual_cost_usd").sum())
    targets = frame(at, "what-if targets")
    assert dict(zip(targets["target_llm_id"], targets["repriced_usd"], strict=True)) == {
        target: expected.cents(repriced) for target, repriced, _ in per_target.iter_rows()
    }
    cheapest = per_target.sort(["repriced_cost_usd", "target_llm_id"]).row(0)
    assert metrics(at)[f"On {cheapest[0]}"] == expected.dollars(cheapest[1])  # the default target: the cheapest
    assert metrics(at)["Actual cost"] == expected.dollars(cheapest[2])


def test_whatif_with_a_model_filter_ranks_that_models_calls_and_says_providers_do_not_apply(
    open_clean: OpenApp, demo_published: Published
) -> None:
    mart = expected.table(demo_published.serve_db, "marts.whatif_repricing_daily")
    last = expected.table(demo_published.serve_db, "marts.cost_daily")["usage_date"].max()
    start = last - timedelta(days=29)
    in_range = mart.filter(pl.col("usage_date").is_between(start, last))
    model = in_range.group_by("source_model").agg(pl.col("calls").sum()).sort("calls", descending=True)[0, 0]
    at = open_clean(demo_published.serve_db, page="whatif", model=model, provider="openai")
    rows = in_range.filter((pl.col("source_model") == model) & pl.col("is_fully_repriced"))
    per_target = rows.group_by("target_llm_id").agg(pl.col("calls").sum(), pl.col("repriced_cost_usd").sum())
    targets = frame(at, "what-if targets")
    shown = {target: (calls, usd) for target, calls, usd in targets[["target_llm_id", "calls", "repriced_usd"]].values}
    assert shown == {target: (calls, expected.cents(repriced)) for target, calls, repriced in per_target.iter_rows()}
    assert any("Not applied on this page: the providers filter" in info for info in texts(at, "info"))
