"""The cost engine against an independent Decimal reference, on >= 10k random calls (one dbt build)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from synapscale.prices.litellm import import_litellm
from tests.support.cost_reference import (
    IMPORTED_RAW_NAMES,
    LITELLM_FIXTURE,
    RAW_NAMES,
    PriceRow,
    expected_cost,
    generate_calls,
    load_prices,
)
from tests.support.warehouse import build_warehouse, copy_project


IMPORT_DATE = date(2026, 12, 1)
RANDOM_CALLS = 12_000


@dataclass(frozen=True)
class PricedWarehouse:
    """One dbt build for the whole module: a project copy whose seeds got the LiteLLM fixture imported."""

    db_path: Path
    seeds_dir: Path
    calls: list[dict[str, Any]]
    expected_llm_id: dict[str, str | None]
    prices: dict[str, list[PriceRow]]


@pytest.fixture(scope="module")
def priced_warehouse(tmp_path_factory: pytest.TempPathFactory) -> PricedWarehouse:
    root = tmp_path_factory.mktemp("priced_warehouse")
    project = copy_project(root / "project")
    import_litellm(LITELLM_FIXTURE, project / "seeds", effective_from=IMPORT_DATE, progress=lambda _line: None)
    prices = load_prices(project / "seeds")  # read with the csv module, after the import
    calls, expected_llm_id = generate_calls(RANDOM_CALLS, prices, {**RAW_NAMES, **IMPORTED_RAW_NAMES})
    usage = pl.DataFrame(calls, schema_overrides={"provider_cost_usd": pl.Decimal(38, 18)}, infer_schema_length=None)
    db_path = build_warehouse(root / "warehouse", {"usage_events": usage}, project_dir=project)
    return PricedWarehouse(db_path, project / "seeds", calls, expected_llm_id, prices)


COMPARED = ("llm_id", "price_id", "computed_cost_usd", "cost_usd", "cost_status", "unpriced_reason")


def _usage_logs(db_path) -> dict[str, dict]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        relation = con.sql(
            "select event_id, llm_id, price_id, computed_cost_usd, cost_usd, cost_status, unpriced_reason,"
            " is_long_context_tier from core.usage_logs"
        )
        names = relation.columns
        return {row[0]: dict(zip(names, row, strict=True)) for row in relation.fetchall()}


def test_every_call_is_priced_exactly_as_the_reference(priced_warehouse: PricedWarehouse) -> None:
    actual = _usage_logs(priced_warehouse.db_path)
    assert len(actual) == len(priced_warehouse.calls) >= 10_000
    mismatches = []
    for call in priced_warehouse.calls:
        want = expected_cost(call, priced_warehouse.expected_llm_id[call["event_id"]], priced_warehouse.prices)
        got = actual[call["event_id"]]
        fields = (*COMPARED, "is_long_context_tier")
        if any(getattr(want, name) != got[name] for name in fields):
            mismatches.append((call["model"], call["occurred_at"], want, got))
    assert not mismatches, f"{len(mismatches)} calls differ, first ones: {mismatches[:5]}"


def test_the_random_calls_cover_every_rule(priced_warehouse: PricedWarehouse) -> None:
    """Guards the generator: a test that never crosses a tier or a price change proves nothing."""
    actual = _usage_logs(priced_warehouse.db_path).values()
    statuses = Counter((row["cost_status"], row["unpriced_reason"]) for row in actual)
    for status in (
        ("computed", None),
        ("provider_reported", None),
        ("unpriced", "unknown_model"),
        ("unpriced", "no_price_in_force"),
        ("unpriced", "invalid_token_counts"),
        ("unpriced", "missing_token_counts"),
    ):
        assert statuses[status] > 0, status
    assert sum(row["is_long_context_tier"] for row in actual) > 50
    used_prices = {row["price_id"] for row in actual if row["price_id"]}
    all_prices = {price.price_id for rows in priced_warehouse.prices.values() for price in rows}
    assert used_prices == all_prices


def test_cost_columns_are_decimal_38_18(priced_warehouse: PricedWarehouse) -> None:
    with duckdb.connect(str(priced_warehouse.db_path), read_only=True) as con:
        types = dict(
            con.sql(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'core' and table_name = 'usage_logs' and column_name like '%cost_usd'"
            ).fetchall()
        )
    assert len(types) == 8
    assert set(types.values()) == {"DECIMAL(38,18)"}


def test_unpriced_calls_have_null_cost_never_zero(priced_warehouse: PricedWarehouse) -> None:
    with duckdb.connect(str(priced_warehouse.db_path), read_only=True) as con:
        bad = con.sql(
            "select count(*) from core.usage_logs where cost_status = 'unpriced'"
            " and (cost_usd is not null or computed_cost_usd is not null or unpriced_reason is null)"
        ).fetchall()
    assert bad == [(0,)]


def _per_token(entry: dict, key: str, fallback: str) -> Decimal:
    return entry.get(key, entry[fallback])


def test_imported_model_cost_equals_tokens_times_litellm_per_token_prices(
    priced_warehouse: PricedWarehouse,
) -> None:
    """Straight from the fixture JSON (USD per token): no seed, no rule code involved."""
    catalog = json.loads(LITELLM_FIXTURE.read_text(), parse_float=Decimal)
    actual = _usage_logs(priced_warehouse.db_path)
    checked = 0
    keys = {
        "claude-sonnet-4-20250514": "claude-sonnet-4-20250514",
        "gemini-2.5-flash-preview-04-17": "gemini/gemini-2.5-flash-preview-04-17",
        "o3-mini": "o3-mini",
    }
    for call in priced_warehouse.calls:
        llm_id = priced_warehouse.expected_llm_id[call["event_id"]]
        if llm_id not in keys or call["occurred_at"] < datetime(2026, 12, 1, tzinfo=UTC):
            continue
        if call["input_tokens"] is None or call["cache_read_input_tokens"] > call["input_tokens"]:
            continue
        entry = catalog[keys[llm_id]]
        above = "_above_200k_tokens" if call["input_tokens"] > 200_000 and llm_id.startswith("claude") else ""
        input_rate = entry[f"input_cost_per_token{above}"]
        output_rate = entry[f"output_cost_per_token{above}"]
        uncached = call["input_tokens"] - call["cache_read_input_tokens"] - call["cache_creation_input_tokens"]
        visible = call["output_tokens"] - call["reasoning_output_tokens"]
        want = (
            uncached * input_rate
            + call["cache_read_input_tokens"] * entry.get(f"cache_read_input_token_cost{above}", input_rate)
            + call["cache_creation_input_tokens"] * entry.get(f"cache_creation_input_token_cost{above}", input_rate)
            + visible * output_rate
            + call["reasoning_output_tokens"]
            * (output_rate if above else entry.get("output_cost_per_reasoning_token", output_rate))
        )
        assert actual[call["event_id"]]["computed_cost_usd"] == want, (call, want)
        checked += 1
    assert checked >= 50
