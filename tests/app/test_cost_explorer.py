"""Cost explorer through AppTest: group-by views, the token-bucket split and top spenders, against the
hand-computed fixture (see test_overview.py for each call's cost) and polars over the demo marts."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from tests.app import expected
from tests.app.conftest import OpenApp, assert_clean, texts
from tests.support.cli import Published


def column(table: pd.DataFrame, key: str, value: str) -> dict[str, object]:
    return dict(zip(table[key], table[value], strict=True))


def test_by_workspace_with_every_token_bucket(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, page="cost_explorer")
    assert_clean(at)
    breakdown, buckets, top_workspaces, top_users = (frame.value for frame in at.dataframe)
    assert column(breakdown, "group", "spend_usd") == {"ws-globex": Decimal("5.75"), "ws-acme": Decimal("2.24")}
    # ws-acme uncached input: 800k x 0.15 + 2M x 0.25 + 200k x 0.15 + 100k x 0.15 = 0.12 + 0.50 + 0.03 + 0.015
    assert column(breakdown, "group", "uncached_input_cost_usd")["ws-acme"] == Decimal("0.66")  # 0.665, half-even
    assert column(breakdown, "group", "unpriced_calls") == {"ws-globex": 0, "ws-acme": 1}
    # The buckets over everything, and the provider-reported call's gap (1.25 reported, 0.006 computed)
    assert column(buckets, "bucket", "cost_usd") == {
        "Uncached input": Decimal("3.17"),  # 0.12 + 0.50 + 2.50 + 0.003 + 0.03 + 0.015 = 3.168
        "Cache read": Decimal("0.02"),  # 200k x 0.075 = 0.015, half-even
        "Cache write": Decimal("0.00"),
        "Visible output": Decimal("3.56"),  # 0.30 + 1.25 + 2.00 + 0.003 + 0.006 = 3.559
        "Reasoning": Decimal("0.00"),
        "Provider-reported difference": Decimal("1.24"),  # 1.25 - 0.006 = 1.244
    }
    assert column(buckets, "bucket", "tokens")["Uncached input"] == 4_106_200  # unpriced calls' tokens included
    assert column(top_workspaces, "workspace_id", "spend_usd") == {
        "ws-globex": Decimal("5.75"),
        "ws-acme": Decimal("2.24"),
    }
    assert column(top_users, "user_id", "spend_usd") == {
        "usr-chen": Decimal("5.75"),
        "usr-bruno": Decimal("1.79"),  # 1.75 + 0.036
        "usr-ana": Decimal("0.45"),  # 0.435 + 0.015 (and the unpriced call)
    }
    assert list(top_users["user_id"]) == ["usr-chen", "usr-bruno", "usr-ana"]
    assert at.query_params["by"] == "workspace"


def test_a_link_opens_the_group_by_it_names_and_the_control_moves_it(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, page="cost_explorer", by="model", model=["gpt-4o-mini", "gemini-1.5-flash"])
    assert_clean(at)
    assert at.segmented_control(key="page.by").value == "model"
    breakdown = at.dataframe[0].value
    assert column(breakdown, "group", "spend_usd") == {
        "gpt-4o-mini": Decimal("0.45"),
        "gemini-1.5-flash": Decimal("0.04"),
    }
    at.segmented_control(key="page.by").set_value("user").run()
    assert at.query_params["by"] == "user"
    assert at.query_params["model"] == ["gpt-4o-mini", "gemini-1.5-flash"]
    breakdown = at.dataframe[0].value
    assert column(breakdown, "group", "spend_usd") == {
        "usr-ana · ws-acme": Decimal("0.45"),
        "usr-bruno · ws-acme": Decimal("0.04"),
    }


def test_provider_grouping_on_one_day(open_app: OpenApp, published: Published) -> None:
    at = open_app(published.serve_db, page="cost_explorer", by="provider", **{"from": "2025-01-11", "to": "2025-01-11"})
    assert_clean(at)
    # 2025-01-11 UTC: evt-0002 anthropic (1.75, it was 22:30 on the 10th in São Paulo), evt-0003/4 openai (5.75)
    assert column(at.dataframe[0].value, "group", "spend_usd") == {
        "openai": Decimal("5.75"),
        "anthropic": Decimal("1.75"),
    }


def test_empty_range(open_app: OpenApp, published: Published) -> None:
    at = open_app(
        published.serve_db, page="cost_explorer", workspace="ws-globex", **{"from": "2025-01-10", "to": "2025-01-10"}
    )
    assert_clean(at)
    assert not at.dataframe
    assert any("No calls in this range" in info for info in texts(at, "info"))


def test_demo_data_by_workspace_and_user_match_polars(open_app: OpenApp, demo_published: Published) -> None:
    hourly = expected.table(demo_published.serve_db, "marts.cost_hourly")
    rows = expected.default_scope(hourly).apply(hourly)
    at = open_app(demo_published.serve_db, page="cost_explorer")
    assert_clean(at)
    breakdown, buckets, top_workspaces, top_users = (frame.value for frame in at.dataframe)
    by_workspace = expected.spend_by(rows, "workspace_id")
    assert column(top_workspaces, "workspace_id", "spend_usd") == {
        ws: expected.cents(spend) for (ws,), spend in sorted(by_workspace.items(), key=lambda kv: -kv[1])[:10]
    }
    by_user = sorted(expected.spend_by(rows, "workspace_id", "user_id").items(), key=lambda kv: (-kv[1], kv[0]))
    assert list(zip(top_users["workspace_id"], top_users["user_id"], strict=True)) == [key for key, _ in by_user[:10]]
    assert list(top_users["spend_usd"]) == [expected.cents(spend) for _, spend in by_user[:10]]
    bucket_columns = {"Uncached input": "uncached_input_cost_usd", "Cache read": "cache_read_cost_usd"}
    shown = column(buckets, "bucket", "cost_usd")
    for label, name in bucket_columns.items():
        assert shown[label] == expected.cents(rows[name].sum())


def test_demo_data_provider_filter_by_model(open_app: OpenApp, demo_published: Published) -> None:
    hourly = expected.table(demo_published.serve_db, "marts.cost_hourly")
    scope = expected.default_scope(hourly)
    scope = expected.Scope(scope.start, scope.end, providers=("openai",))
    at = open_app(demo_published.serve_db, page="cost_explorer", by="model", provider="openai")
    assert_clean(at)
    want = {model: expected.cents(spend) for (model,), spend in expected.spend_by(scope.apply(hourly), "model").items()}
    assert column(at.dataframe[0].value, "group", "spend_usd") == want
