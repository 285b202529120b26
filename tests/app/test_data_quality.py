"""Data quality through AppTest: the fixture's unknown model by hand, and the demo's figures against polars over
the marts."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from tests.app import expected
from tests.app.conftest import OpenApp, assert_clean, frame, metrics, texts
from tests.support.cli import Published


def test_the_fixtures_unknown_model_by_hand(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, page="data_quality")
    assert_clean(at)
    # evt-0005: mystery-model-x, 5,000 + 100 tokens, no price
    unpriced = frame(at, "unpriced usage")
    assert list(zip(unpriced["unpriced_reason"], unpriced["model"], unpriced["unpriced_calls"], strict=True)) == [
        ("unknown_model", "unresolved:mystery-model-x", 1)
    ]
    assert list(unpriced["tokens"]) == [5100]
    unknown = frame(at, "unknown models")
    assert list(zip(unknown["model_raw"], unknown["calls"], strict=True)) == [("mystery-model-x", 1)]
    assert any("No record was quarantined" in text for text in texts(at, "success"))
    assert metrics(at)["Last day with calls"] == "2025-01-12"
    lateness = frame(at, "arrival lateness")
    assert lateness["calls"].sum() == 7
    # a model filter that excludes the unknown model leaves every call priced
    known = open_app(published.serve_db, page="data_quality", model="gpt-4o")
    assert any("Every call in this range has a price" in text for text in texts(known, "success"))


def test_demo_data_quality_matches_polars(open_app: OpenApp, demo_published: Published) -> None:
    at = open_app(demo_published.serve_db, page="data_quality", provider="openai")
    assert_clean(at)
    last = expected.table(demo_published.serve_db, "marts.cost_daily")["usage_date"].max()
    in_range = pl.col("usage_date").is_between(last - timedelta(days=29), last)
    unpriced = expected.table(demo_published.serve_db, "marts.unpriced_usage_daily").filter(
        in_range & (pl.col("provider") == "openai")
    )
    shown = frame(at, "unpriced usage")
    assert set(shown["provider"]) <= {"openai"}
    assert shown["unpriced_calls"].sum() == unpriced["unpriced_calls"].sum()
    lateness = expected.table(demo_published.serve_db, "marts.usage_arrival_lateness_daily").filter(in_range)
    want = lateness.group_by("lateness_bucket").agg(pl.col("calls").sum())
    shown = frame(at, "arrival lateness")
    assert dict(zip(shown["lateness_bucket"], shown["calls"], strict=True)) == dict(want.iter_rows())
