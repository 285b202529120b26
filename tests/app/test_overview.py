"""Overview through Streamlit's AppTest: figures against the hand-computed fixture and against polars over the
demo warehouse's marts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.app import expected
from tests.app.conftest import OpenApp, assert_clean, metrics, texts
from tests.support.cli import Published

# The fixture's seven calls (tests/fixtures/landing), priced by hand with seeds/llm_prices.csv (January 2025):
#   evt-0001 ws-acme   usr-ana   gpt-4o-mini  2025-01-10 10:00Z  800k uncached x 0.15 + 200k cache read x 0.075
#                                                                + 500k out x 0.60                      = 0.435
#   evt-0002 ws-acme   usr-bruno claude-haiku 2025-01-11 01:30Z  2M x 0.25 + 1M x 1.25                 = 1.75
#   evt-0003 ws-globex usr-chen  gpt-4o       2025-01-11 09:00Z  1M x 2.50 + 200k x 10                 = 4.50
#   evt-0004 ws-globex usr-chen  gpt-4o       2025-01-11 09:05Z  provider-reported                     = 1.25
#   evt-0005 ws-acme   usr-ana   mystery      2025-01-12 08:00Z  unknown model: unpriced               = –
#   evt-0006 ws-acme   usr-bruno gemini-flash 2025-01-12 12:00Z  200k > 128k tier: 200k x 0.15 + 10k x 0.60 = 0.036
#   evt-0007 ws-acme   usr-ana   gpt-4o-mini  2025-01-12 13:00Z  error, still priced: 100k x 0.15      = 0.015
FIXTURE_TOTAL = Decimal("7.986")


def test_default_view_is_the_last_30_days_with_hand_computed_totals(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db)
    assert_clean(at)
    shown = metrics(at)
    assert shown["Total spend"] == "$7.99"  # 7.986
    assert shown["Calls"] == "7"
    assert shown["Active users"] == "3"
    assert shown["Cost per call"] == "$1.33"  # 7.986 / 6 priced calls (the unknown model is left out)
    # tokens: 1.5M + 3M + 1.2M + 1.5k + 5.1k + 210k + 100k = 6,016,600 -> 7.986 / 6016.6 per 1k
    assert shown["Cost per 1k tokens"] == "$0.0013"
    assert any("1 call has no price" in warning for warning in texts(at, "warning"))
    # the data spans 3 days, so the default range is all of it, and the URL says so
    assert at.query_params == {"from": "2025-01-10", "to": "2025-01-12", "days": "utc"}


def test_spend_by_model_table_to_the_cent(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db)
    table = at.dataframe[0].value
    spend = dict(zip(table["model"], table["spend_usd"], strict=True))
    assert spend == {
        "gpt-4o": Decimal("5.75"),
        "claude-3-haiku": Decimal("1.75"),
        "gpt-4o-mini": Decimal("0.45"),  # 0.435 + 0.015
        "gemini-1.5-flash": Decimal("0.04"),  # 0.036
        "unresolved:mystery-model-x": Decimal("0.00"),
    }
    assert list(table["model"])[:2] == ["gpt-4o", "claude-3-haiku"]  # largest first
    assert dict(zip(table["model"], table["unpriced_calls"], strict=True))["unresolved:mystery-model-x"] == 1


def test_a_link_with_filters_opens_exactly_that_view(open_app: OpenApp, published: Published) -> None:
    link = {"from": "2025-01-11", "to": "2025-01-12", "workspace": "ws-acme", "provider": ["anthropic", "google"]}
    at = open_app(published.serve_db, **link)
    assert_clean(at)
    # ws-acme, Jan 11-12 (UTC), anthropic or google: evt-0002 (1.75) and evt-0006 (0.036)
    shown = metrics(at)
    assert shown["Total spend"] == "$1.79"
    assert shown["Calls"] == "2"
    assert shown["Active users"] == "1"  # usr-bruno made both
    assert at.sidebar.date_input[0].value == (date(2025, 1, 11), date(2025, 1, 12))
    assert at.sidebar.multiselect(key="filter.workspaces").value == ["ws-acme"]
    assert at.sidebar.multiselect(key="filter.providers").value == ["anthropic", "google"]
    assert at.query_params == {**link, "days": "utc"}


def test_changing_a_filter_changes_figures_and_link(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db)
    at.sidebar.multiselect(key="filter.workspaces").select("ws-globex").run()
    shown = metrics(at)
    assert shown["Total spend"] == "$5.75"  # gpt-4o 4.50 computed + 1.25 provider-reported
    assert shown["Calls"] == "2"
    assert at.query_params["workspace"] == "ws-globex"
    at.sidebar.date_input[0].set_value((date(2025, 1, 10), date(2025, 1, 10))).run()
    assert metrics(at) == {}
    assert any("No calls in this range" in info for info in texts(at, "info"))
    assert at.query_params["from"] == at.query_params["to"] == "2025-01-10"


def test_an_empty_range_says_so(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, **{"from": "2025-01-12", "to": "2025-01-12", "workspace": "ws-globex"})
    assert_clean(at)
    assert metrics(at) == {}
    assert any("No calls in this range" in info for info in texts(at, "info"))


def test_demo_data_default_view_matches_polars(open_app: OpenApp, demo_published: Published) -> None:
    hourly = expected.table(demo_published.serve_db, "marts.cost_hourly")
    scope = expected.default_scope(hourly)
    want = expected.totals(scope.apply(hourly))
    at = open_app(demo_published.serve_db)
    assert_clean(at)
    shown = metrics(at)
    assert shown["Total spend"] == expected.dollars(want["spend"])
    assert shown["Calls"] == f"{want['calls']:,}"
    assert shown["Active users"] == f"{want['active_users']:,}"
    assert at.query_params["from"] == scope.start.isoformat() and at.query_params["to"] == scope.end.isoformat()
    by_model = expected.spend_by(scope.apply(hourly), "model")
    table = at.dataframe[0].value
    assert dict(zip(table["model"], table["spend_usd"], strict=True)) == {
        model: expected.cents(spend) for (model,), spend in by_model.items()
    }


def test_demo_data_filtered_by_model_and_provider_matches_polars(open_app: OpenApp, demo_published: Published) -> None:
    hourly = expected.table(demo_published.serve_db, "marts.cost_hourly")
    busiest = hourly.group_by("model", "provider").len().sort("len", descending=True).row(0)
    scope = expected.Scope(date(2025, 2, 10), date(2025, 3, 3), providers=(busiest[1],), models=(busiest[0],))
    want = expected.totals(scope.apply(hourly))
    at = open_app(
        demo_published.serve_db,
        **{"from": "2025-02-10", "to": "2025-03-03", "model": busiest[0], "provider": busiest[1]},
    )
    assert_clean(at)
    shown = metrics(at)
    assert shown["Total spend"] == expected.dollars(want["spend"])
    assert shown["Calls"] == f"{want['calls']:,}"
    assert shown["Active users"] == f"{want['active_users']:,}"
