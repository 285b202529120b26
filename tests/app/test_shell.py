"""What every page shares: rendering on demo data, on an empty warehouse and with nothing published; "Data as
of" and staleness; pages offered per published mart; the day boundary and tags as a second SQL source."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app import navigation
from tests.app import marts_to_come
from tests.app.conftest import PAGE_SCRIPTS, OpenApp, assert_clean, metrics, texts
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
    older = marts_to_come.without(published.serve_db, tmp_path / "serve.duckdb", "marts.invoices")
    at = open_app(older)
    assert_clean(at)
    assert metrics(at)["Total spend"] == "$7.99"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_SCRIPTS["invoices"])
    at.switch_page(PAGE_SCRIPTS["cost_explorer"]).run()
    assert_clean(at)


def test_sections_follow_the_published_marts() -> None:
    today = {"marts.cost_daily", "marts.cost_hourly", "marts.invoices", "marts.invoice_lines", "meta.publication"}
    assert {section: [spec.title for spec in specs] for section, specs in navigation.available(today).items()} == {
        "Spend": ["Overview", "Cost explorer", "Invoices"]
    }
    assert navigation.available({"marts.cost_daily"}) == {}


def test_local_days_control_is_off_until_the_local_mart_is_published(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, days="local", **{"from": "2025-01-10", "to": "2025-01-10"})
    assert_clean(at)
    assert at.sidebar.radio(key="filter.days").disabled
    assert at.sidebar.radio(key="filter.days").value == "utc"
    assert any("not published yet" in warning for warning in texts(at, "warning"))
    assert metrics(at)["Total spend"] == "$0.44"  # UTC 10 January: evt-0001 alone, 0.435 half-even
    assert at.query_params["days"] == "utc"


@pytest.fixture
def local_serve(published: Published, tmp_path: Path) -> Path:
    zones = {"ws-acme": "America/Sao_Paulo", "ws-globex": "Asia/Kolkata"}
    return marts_to_come.with_local_days(published.serve_db, tmp_path / "serve.duckdb", zones)


def test_each_workspaces_own_days_come_from_the_local_mart(open_app: OpenApp, local_serve: Path) -> None:
    # 10 January in São Paulo (UTC-3) ends at 03:00 UTC on the 11th, so evt-0002 (01:30 UTC, 22:30 local) is in it.
    one_day = {"from": "2025-01-10", "to": "2025-01-10"}
    at = open_app(local_serve, days="local", **one_day)
    assert_clean(at)
    assert not at.sidebar.radio(key="filter.days").disabled
    shown = metrics(at)
    assert shown["Total spend"] == "$2.18"  # 0.435 + 1.75 = 2.185, half-even
    assert shown["Calls"] == "2"
    assert shown["Active users"] == "2"
    at.sidebar.radio(key="filter.days").set_value("utc").run()
    assert metrics(at)["Total spend"] == "$0.44"  # the same date in UTC: evt-0001 alone
    assert at.query_params["days"] == "utc"


def test_tags_filter_appears_when_the_mart_carries_tags(open_app: OpenApp, local_serve: Path) -> None:
    at = open_app(local_serve, days="local", tag="support")
    assert_clean(at)
    assert at.sidebar.multiselect(key="filter.tags").options == ["beta", "support"]
    assert metrics(at)["Total spend"] == "$0.44"  # evt-0001 is the only tagged call (Support, beta)
    at.switch_page(PAGE_SCRIPTS["cost_explorer"]).run()
    at.segmented_control(key="page.by").set_value("tag").run()
    breakdown = at.dataframe[0].value
    assert dict(zip(breakdown["group"], breakdown["spend_usd"], strict=True)) == {
        "beta": Decimal("0.44"),
        "support": Decimal("0.44"),
    }
    utc = open_app(local_serve)
    assert not [box for box in utc.sidebar.multiselect if box.label == "Tags"]  # cost_daily carries no tags yet
