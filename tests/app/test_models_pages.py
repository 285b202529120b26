"""Model performance, Feedback and quality, Recommendations through AppTest: figures against the hand-computed
fixture and against polars over the demo warehouse's marts (read whole, filtered and summed here)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import polars as pl

from tests.app import expected
from tests.app.conftest import OpenApp, assert_clean, frame, metrics, texts
from tests.support.cli import Published


def test_performance_on_the_fixture_by_hand(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, page="performance")
    assert_clean(at)
    shown = metrics(at)
    assert shown["Calls"] == "7"
    assert shown["Failed calls"] == "1"  # evt-0007, rate_limit
    assert shown["Error rate"] == "14.29%"  # 1 / 7
    table = frame(at, "model performance")
    mini = table[(table["model"] == "gpt-4o-mini") & (table["provider"] == "openai")].iloc[0]
    assert (mini["calls"], mini["error_calls"], mini["error_rate"]) == (2, 1, 0.5)
    assert mini["latency_p95_ms"] == 2100  # one successful call (evt-0001), on one day
    # gpt-4o: two successful calls on 11 January, 5200 and 900 ms: p50 = 3050, p95 = 900 + 0.95 x 4300 = 4985
    gpt4o = table[table["model"] == "gpt-4o"].iloc[0]
    assert (gpt4o["latency_p50_ms"], gpt4o["latency_p95_ms"]) == (3050, 4985)
    errors = frame(at, "errors by type")
    assert list(zip(errors["error_type"], errors["error_calls"], strict=True)) == [("rate_limit", 1)]


def test_performance_with_a_provider_filter_on_demo_data_matches_polars(
    open_app: OpenApp, demo_published: Published
) -> None:
    daily = expected.table(demo_published.serve_db, "marts.model_provider_performance_daily")
    last = daily["usage_date"].max()
    start = last - timedelta(days=13)
    link = {"from": start.isoformat(), "to": last.isoformat(), "provider": "openai"}
    at = open_app(demo_published.serve_db, page="performance", **link)
    assert_clean(at)
    rows = daily.filter(pl.col("usage_date").is_between(start, last) & (pl.col("provider") == "openai"))
    want = rows.group_by("model").agg(
        pl.col("calls").sum(), pl.col("error_calls").sum(), pl.col("latency_p95_ms").median()
    )
    table = frame(at, "model performance")
    assert set(table["provider"]) == {"openai"}
    shown = {m: (c, e, round(p, 6)) for m, c, e, p in table[["model", "calls", "error_calls", "latency_p95_ms"]].values}
    assert shown == {m: (c, e, round(p, 6)) for m, c, e, p in want.iter_rows()}
    assert metrics(at)["Calls"] == f"{rows['calls'].sum():,}"
    assert at.query_params["provider"] == "openai"


def test_quality_on_demo_data_matches_polars_and_says_better_but_dearer(
    open_app: OpenApp, demo_published: Published
) -> None:
    at = open_app(demo_published.serve_db, page="quality")
    assert_clean(at)
    feedback = expected.table(demo_published.serve_db, "marts.model_quality_daily")
    last = expected.table(demo_published.serve_db, "marts.cost_daily")["usage_date"].max()
    start = last - timedelta(days=29)  # the default range: the last 30 days of usage
    rows = feedback.filter(pl.col("usage_date").is_between(start, last))
    assert metrics(at)["Feedback"] == f"{rows['feedback_count'].sum():,}"
    up_rate = rows["thumbs_up_count"].sum() / rows["thumbs_count"].sum()
    assert metrics(at)["Thumbs up"] == f"{up_rate:.1%}"
    per_model = rows.group_by("model").agg(
        pl.col("thumbs_up_count", "thumbs_count", "rating_sum", "rating_count").sum()
    )
    score = {
        model: (up + (rating_sum - ratings) / 4) / (thumbs + ratings)
        for model, up, thumbs, rating_sum, ratings in per_model.iter_rows()
        if thumbs + ratings
    }
    table = frame(at, "feedback and quality by model")
    shown = dict(zip(table["model"], table["quality_score"], strict=True))
    assert {m: round(v, 9) for m, v in shown.items() if v == v} == {m: round(v, 9) for m, v in score.items()}
    verdicts = set(table["verdict"])
    assert verdicts <= {"Better but dearer", "Better and cheaper", "Worse and dearer", "Worse but cheaper"} | {
        "Too little feedback"
    }
    dearer = sorted(table[table["verdict"] == "Better but dearer"]["model"])
    if dearer:
        assert any(", ".join(dearer) in info for info in texts(at, "info"))


def test_quality_without_feedback_says_so(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, page="quality")  # the fixture has no feedback
    assert_clean(at)
    assert any("No feedback in this range" in info for info in texts(at, "info"))


def test_recommendations_on_demo_data_match_the_mart(open_app: OpenApp, demo_published: Published) -> None:
    mart = expected.table(demo_published.serve_db, "marts.model_recommendations")
    at = open_app(demo_published.serve_db, page="recommendations")
    assert_clean(at)
    switches = mart.filter(pl.col("has_recommendation"))
    assert metrics(at)["Workspace × model pairs"] == f"{mart.height:,}"
    assert metrics(at)["With a recommendation"] == f"{switches.height:,}"
    assert metrics(at)["Monthly saving if all switch"] == expected.dollars(switches["monthly_saving_usd"].sum())
    table = frame(at, "recommendations")
    assert (
        list(table["reason"])[: switches.height]
        == switches.sort(["monthly_saving_usd", "workspace_id", "source_model"], descending=[True, False, False])[
            "reason"
        ].to_list()
    )
    # a workspace filter keeps that workspace's pairs only
    workspace = mart["workspace_id"].sort()[0]
    one = open_app(demo_published.serve_db, page="recommendations", workspace=workspace)
    assert set(frame(one, "recommendations")["workspace_id"]) == {workspace}
    assert len(frame(one, "recommendations")) == mart.filter(pl.col("workspace_id") == workspace).height
    assert Decimal(str(frame(one, "recommendations")["window_actual_cost_usd"].iloc[0])) >= 0


def _core(published: Published, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(published.build_db), read_only=True) as con:
        return con.sql(sql).pl()


def _last_days(published: Published, days: int) -> tuple[pl.DataFrame, date, date, str]:
    """cost_daily, the last `days` days of data and the busiest workspace in them."""
    cost = expected.table(published.serve_db, "marts.cost_daily")
    last = cost["usage_date"].max()
    start = last - timedelta(days=days - 1)
    rows = cost.filter(pl.col("usage_date").is_between(start, last))
    busiest = rows.group_by("workspace_id").agg(pl.col("calls").sum()).sort("calls", descending=True)[0, 0]
    return cost, start, last, busiest


def test_performance_with_a_workspace_filter_matches_the_calls_and_says_what_does_not_apply(
    open_app: OpenApp, demo_published: Published
) -> None:
    cost, start, last, workspace = _last_days(demo_published, 14)
    tag = expected.table(demo_published.serve_db, "marts.cost_daily_by_tag")["tag"].sort()[0]
    at = open_app(
        demo_published.serve_db, page="performance", **{"from": start.isoformat(), "to": last.isoformat()},
        workspace=workspace, tag=tag,
    )  # fmt: skip
    assert_clean(at)
    # calls and failures: from cost_daily (another mart than the page's), summed here
    rows = cost.filter(pl.col("usage_date").is_between(start, last) & (pl.col("workspace_id") == workspace))
    want = rows.group_by("model", "provider").agg(pl.col("calls").sum(), pl.col("error_calls").sum())
    table = frame(at, "model performance")
    shown = {(m, p): (c, e) for m, p, c, e in table[["model", "provider", "calls", "error_calls"]].values}
    assert shown == {(m, p): (c, e) for m, p, c, e in want.iter_rows()}
    assert metrics(at)["Calls"] == f"{rows['calls'].sum():,}"
    # latency p95: the median over the days of that workspace's daily p95 of its successful calls (core, polars)
    calls = _core(
        demo_published,
        "select usage_date, model, provider, latency_ms from core.usage_logs "
        f"where status = 'success' and workspace_id = '{workspace}'",
    ).filter(pl.col("usage_date").is_between(start, last))
    daily = calls.group_by("usage_date", "model", "provider").agg(
        pl.col("latency_ms").quantile(0.95, interpolation="linear").alias("p95")
    )
    p95 = daily.group_by("model", "provider").agg(pl.col("p95").median())
    shown_p95 = {(m, p): round(v, 6) for m, p, v in table[["model", "provider", "latency_p95_ms"]].values if v == v}
    assert shown_p95 == {(m, p): round(v, 6) for m, p, v in p95.drop_nulls().iter_rows()}
    infos = texts(at, "info")
    assert any("Error types are counted over every workspace" in info for info in infos)
    assert any("Not applied on this page: the tag filter" in info for info in infos)
    assert "Filters that apply here: dates, workspaces, providers, models." in texts(at, "caption")


def test_quality_with_workspace_and_provider_filters_matches_the_feedback(
    open_app: OpenApp, demo_published: Published
) -> None:
    _, start, last, workspace = _last_days(demo_published, 30)
    at = open_app(demo_published.serve_db, page="quality", workspace=workspace, provider="openai")
    assert_clean(at)
    # each latest feedback version on the first call of its message (core tables, joined here)
    feedback = _core(
        demo_published,
        "select f.kind, f.score, f.category, calls.usage_date, calls.model from core.message_feedbacks as f "
        "join core.messages as m using (message_id) join core.usage_logs as calls on calls.event_id = m.event_id "
        f"where calls.workspace_id = '{workspace}' and calls.provider = 'openai'",
    ).filter(pl.col("usage_date").is_between(start, last))
    assert feedback.height > 0
    assert metrics(at)["Feedback"] == f"{feedback.height:,}"
    thumbs = feedback.filter((pl.col("kind") == "thumbs") & pl.col("score").is_not_null())
    assert metrics(at)["Thumbs up"] == f"{(thumbs['score'] == 1).sum() / thumbs.height:.1%}"
    table = frame(at, "feedback and quality by model")
    counts = feedback.group_by("model").agg(pl.len())
    assert dict(zip(table["model"], table["feedback_count"], strict=True)) == dict(counts.iter_rows())
    categories = frame(at, "feedback categories")
    labelled = feedback.filter((pl.col("kind") == "category") & pl.col("category").is_not_null())
    assert dict(zip(categories["category"], categories["feedback_count"], strict=True)) == dict(
        labelled.group_by("category").agg(pl.len()).iter_rows()
    )
