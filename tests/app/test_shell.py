"""What every page shares: rendering on demo data, on an empty warehouse and with nothing published; "Data as
of" and staleness; pages offered per published mart; the day boundary and tags as a second SQL source."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app import navigation
from tests.app import expected
from tests.app.conftest import PAGE_SCRIPTS, OpenApp, assert_clean, frame, metrics, texts, without
from tests.support.cli import Published

PAGES = list(PAGE_SCRIPTS)
TITLES = {spec.url_path: spec.title for spec in navigation.PAGES}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_demo_data_with_data_as_of(
    open_app: OpenApp, demo_published: Published, page: str
) -> None:
    at = open_app(demo_published.serve_db, page=page)
    assert_clean(at)
    assert at.title[0].value == TITLES[page]
    assert any(caption.startswith("Data as of 20") for caption in texts(at, "caption"))
    assert not any("stale" in warning for warning in texts(at, "warning"))
    assert at.dataframe, "a page with data shows at least one table"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_an_empty_warehouse(open_app: OpenApp, empty_published: Published, page: str) -> None:
    at = open_app(empty_published.serve_db, page=page)
    assert_clean(at)
    assert at.title[0].value == TITLES[page]
    assert any("holds no usage yet" in info for info in texts(at, "info"))
    assert any(caption.startswith("Data as of 20") for caption in texts(at, "caption"))


def test_nothing_published_says_what_to_do(open_app: OpenApp, tmp_path: Path) -> None:
    at = open_app(tmp_path / "missing.duckdb")
    assert_clean(at)
    assert any("synapscale run" in info for info in texts(at, "info"))


def test_stale_data_is_flagged_with_a_configurable_threshold(
    open_app: OpenApp, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNAPSCALE_STALE_AFTER_MINUTES", "0")
    at = open_app(published.serve_db)
    assert any("The data is stale" in warning for warning in texts(at, "warning"))
    monkeypatch.setenv("SYNAPSCALE_STALE_AFTER_MINUTES", "600")
    at = open_app(published.serve_db)
    assert not any("stale" in warning for warning in texts(at, "warning"))


def test_a_page_is_offered_only_when_its_mart_is_published(
    open_app: OpenApp, published: Published, tmp_path: Path
) -> None:
    older = without(published.serve_db, tmp_path / "serve.duckdb", "marts.invoices")
    at = open_app(older)
    assert_clean(at)
    assert metrics(at)["Total spend"] == "$7.99"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_SCRIPTS["invoices"])
    at.switch_page(PAGE_SCRIPTS["cost_explorer"]).run()
    assert_clean(at)


def test_sections_follow_the_published_marts(demo_published: Published) -> None:
    spend = {
        *("marts.cost_daily", "marts.cost_daily_by_user", "marts.cost_daily_user_totals"),
        *("marts.invoices", "marts.invoice_lines"),
    }
    assert {section: [spec.title for spec in specs] for section, specs in navigation.available(spend).items()} == {
        "Spend": ["Overview", "Cost explorer", "Invoices"]
    }
    assert navigation.available({"marts.cost_daily"}) == {}
    published = set(expected.relations(demo_published.serve_db))
    assert {section: [spec.title for spec in specs] for section, specs in navigation.available(published).items()} == {
        "Spend": ["Overview", "Cost explorer", "Invoices", "What-if repricing"],
        "Models": ["Model performance", "Feedback and quality", "Recommendations"],
        "Planning": ["Trends", "Budgets and alerts", "Churn risk"],
        "Operations": ["Data quality"],
    }


def test_local_days_control_is_off_until_the_local_mart_is_published(
    open_app: OpenApp, published: Published, tmp_path: Path
) -> None:
    older = without(published.serve_db, tmp_path / "serve.duckdb", "marts.cost_daily_local")
    at = open_app(older, days="local", **{"from": "2025-01-10", "to": "2025-01-10"})
    assert_clean(at)
    assert at.sidebar.radio(key="filter.days").disabled
    assert at.sidebar.radio(key="filter.days").value == "utc"
    assert any("not published yet" in warning for warning in texts(at, "warning"))
    assert metrics(at)["Total spend"] == "$0.44"  # UTC 10 January: evt-0001 alone, 0.435 half-even
    assert at.query_params["days"] == "utc"


def test_each_workspaces_own_days_come_from_the_local_mart(open_app: OpenApp, local_published: Published) -> None:
    # 10 January in São Paulo (UTC-3) ends at 03:00 UTC on the 11th, so evt-0002 (01:30 UTC, 22:30 local) is in it.
    one_day = {"from": "2025-01-10", "to": "2025-01-10"}
    at = open_app(local_published.serve_db, days="local", **one_day)
    assert_clean(at)
    assert not at.sidebar.radio(key="filter.days").disabled
    shown = metrics(at)
    assert shown["Total spend"] == "$2.18"  # 0.435 + 1.75 = 2.185, half-even
    assert shown["Calls"] == "2"
    assert shown["Active users"] == "2"
    at.sidebar.radio(key="filter.days").set_value("utc").run()
    assert metrics(at)["Total spend"] == "$0.44"  # the same date in UTC: evt-0001 alone
    assert at.query_params["days"] == "utc"


def test_a_half_hour_zone_moves_a_call_to_the_next_local_day(open_app: OpenApp, local_published: Published) -> None:
    # evt-kolkata, 19:00 UTC on 11 January, is 00:30 on 12 January in Kolkata (UTC+05:30).
    link = {"from": "2025-01-12", "to": "2025-01-12", "workspace": "ws-globex"}
    local = open_app(local_published.serve_db, page="cost_explorer", days="local", by="model", **link)
    assert_clean(local)
    assert dict(zip(*(frame(local, "spend by model")[c] for c in ("group", "spend_usd")), strict=True)) == {
        "gpt-4o-mini": Decimal("0.02")  # 0.021
    }
    utc = open_app(local_published.serve_db, page="cost_explorer", days="utc", by="model", **link)
    assert_clean(utc)
    assert any("No calls in this range" in info for info in texts(utc, "info"))
    # 11 January, UTC: the three Globex calls (4.50 + 1.25 + 0.021); local: the two before 18:30 UTC.
    eleventh = {**link, "from": "2025-01-11", "to": "2025-01-11"}
    assert metrics(open_app(local_published.serve_db, days="utc", **eleventh))["Total spend"] == "$5.77"
    assert metrics(open_app(local_published.serve_db, days="local", **eleventh))["Total spend"] == "$5.75"


def test_the_tag_filter_reads_the_tag_mart(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, tag=["support", "beta"])  # one tag at a time: the first is kept
    assert_clean(at)
    assert at.sidebar.multiselect(key="filter.tags").options == ["(untagged)", "beta", "support"]
    assert at.sidebar.multiselect(key="filter.tags").value == ["support"]
    assert any("one tag at a time" in warning for warning in texts(at, "warning"))
    assert metrics(at)["Total spend"] == "$0.44"  # evt-0001 is the only tagged call (Support, beta)
    at.switch_page(PAGE_SCRIPTS["cost_explorer"]).run()
    at.segmented_control(key="page.by").set_value("tag").run()
    breakdown = frame(at, "spend by tag")
    assert dict(zip(breakdown["group"], breakdown["spend_usd"], strict=True)) == {"support": Decimal("0.44")}
    everything = open_app(published.serve_db, page="cost_explorer", by="tag")
    breakdown = frame(everything, "spend by tag")
    # a call counts under each of its tags: beta and support both hold evt-0001; the rest is untagged
    assert dict(zip(breakdown["group"], breakdown["spend_usd"], strict=True)) == {
        "(untagged)": Decimal("7.55"),  # 7.986 - 0.435 = 7.551
        "beta": Decimal("0.44"),
        "support": Decimal("0.44"),
    }
    local = open_app(published.serve_db, days="local")
    assert not [box for box in local.sidebar.multiselect if box.label == "Tag"]  # tags are by UTC day
