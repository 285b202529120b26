"""The cost engine against an independent Decimal reference, and against LiteLLM's own cost calculator, on
>= 10k random calls (one dbt build): curated models, models the LiteLLM fixture imports into the curated seeds,
and models only the LiteLLM fallback knows (hand-written names plus a random sample of the shipped catalog)."""

from __future__ import annotations

import gzip
import json
import os
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from synapscale.prices.litellm import import_litellm
from synapscale.prices.litellm_fallback import shipped_catalog
from synapscale.prices.model_names import build_name_lookup, resolve_model_name
from synapscale.prices.seeds import read_seed
from tests.support.cost_reference import (
    IMPORTED_RAW_NAMES,
    LITELLM_FIXTURE,
    LITELLM_RAW_NAMES,
    RAW_NAMES,
    PriceRow,
    expected_cost,
    generate_calls,
    load_prices,
)
from tests.support.warehouse import build_warehouse, copy_project

IMPORT_DATE = date(2026, 12, 1)
RANDOM_CALLS = 15_000
SAMPLED_LITELLM_MODELS = 120


@dataclass(frozen=True)
class PricedWarehouse:
    """One dbt build for the whole module: a project copy whose seeds got the LiteLLM fixture imported."""

    db_path: Path
    seeds_dir: Path
    calls: list[dict[str, Any]]
    expected_llm_id: dict[str, str | None]
    prices: dict[str, list[PriceRow]]


def _sampled_litellm_names(seeds_dir: Path, count: int) -> dict[str | None, tuple[str, ...]]:
    """A random sample of the fallback models, each by its own llm_id: none the curated seeds resolve (those are
    the curated model, int_litellm_models), none LiteLLM prices by the time of day (off_peak_pricing: LiteLLM's
    calculator reads the wall clock; the engine prices every call at standard rates, docs/cost.md), and none whose
    key LiteLLM's calculator would read from another entry when told the provider (`gemini-exp-1206` with
    provider gemini reads `gemini/gemini-exp-1206`; `perplexity/perplexity/sonar` reads `perplexity/sonar`)."""
    with gzip.open(shipped_catalog(seeds_dir), "rt", encoding="utf-8") as handle:
        catalog = json.load(handle)
    curated = build_name_lookup(
        read_seed(seeds_dir / "llm_aliases.csv", ()), read_seed(seeds_dir / "llm_catalog.csv", ())
    )
    rows = read_seed(seeds_dir / "litellm_prices.csv", ())
    hand_written = {name for names in LITELLM_RAW_NAMES.values() for name in names} | set(LITELLM_RAW_NAMES)
    eligible = sorted(
        row["llm_id"]
        for row in rows
        if resolve_model_name(row["llm_id"], curated) is None
        and "off_peak_pricing" not in catalog[row["litellm_key"]]
        and not _read_from_another_entry(row["litellm_key"], row["litellm_provider"], catalog)
        and row["llm_id"] not in hand_written
    )
    return {llm_id: (llm_id,) for llm_id in random.Random(20261201).sample(eligible, count)}


def _read_from_another_entry(key: str, provider: str, catalog: dict[str, Any]) -> bool:
    unprefixed = key.removeprefix(f"{provider}/")
    return f"{provider}/{key}" in catalog or (unprefixed != key and unprefixed in catalog)


@pytest.fixture(scope="module")
def priced_warehouse(tmp_path_factory: pytest.TempPathFactory) -> PricedWarehouse:
    root = tmp_path_factory.mktemp("priced_warehouse")
    project = copy_project(root / "project")
    import_litellm(LITELLM_FIXTURE, project / "seeds", effective_from=IMPORT_DATE, progress=lambda _line: None)
    prices = load_prices(project / "seeds")  # read with the csv module, after the import
    names = {
        **RAW_NAMES,
        **IMPORTED_RAW_NAMES,
        **LITELLM_RAW_NAMES,
        **_sampled_litellm_names(project / "seeds", SAMPLED_LITELLM_MODELS),
    }
    calls, expected_llm_id = generate_calls(RANDOM_CALLS, prices, names)
    usage = pl.DataFrame(calls, schema_overrides={"provider_cost_usd": pl.Decimal(38, 18)}, infer_schema_length=None)
    db_path = build_warehouse(root / "warehouse", {"usage_events": usage}, project_dir=project)
    return PricedWarehouse(db_path, project / "seeds", calls, expected_llm_id, prices)


COMPARED = ("llm_id", "price_id", "computed_cost_usd", "cost_usd", "cost_status", "unpriced_reason", "price_source")


def _usage_logs(db_path) -> dict[str, dict]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        relation = con.sql(
            "select event_id, llm_id, price_id, price_source, computed_cost_usd, cost_usd, cost_status,"
            " unpriced_reason, is_long_context_tier, cache_write_tokens, cache_write_1h_tokens from core.usage_logs"
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
    sources = Counter(row["price_source"] for row in actual)
    assert sources["curated"] > 1_000 and sources["litellm"] > 1_000 and sources["provider_reported"] > 0
    assert sum(row["cache_write_1h_tokens"] > 0 and row["cache_write_tokens"] >= 0 for row in actual) > 500
    used_prices = {row["price_id"] for row in actual if row["price_id"]}
    curated_prices = {p.price_id for rows in priced_warehouse.prices.values() for p in rows if p.source == "curated"}
    assert curated_prices <= used_prices
    litellm_models = {llm_id for llm_id in priced_warehouse.expected_llm_id.values() if llm_id} - set(
        {p.llm_id for rows in priced_warehouse.prices.values() for p in rows if p.source == "curated"}
    )
    assert len(litellm_models) > 100
    assert {f"{llm_id}@litellm-1.110.2" for llm_id in litellm_models} <= used_prices


def test_cost_columns_are_decimal_38_18(priced_warehouse: PricedWarehouse) -> None:
    with duckdb.connect(str(priced_warehouse.db_path), read_only=True) as con:
        types = dict(
            con.sql(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'core' and table_name = 'usage_logs' and column_name like '%cost_usd'"
            ).fetchall()
        )
    assert len(types) == 9
    assert set(types.values()) == {"DECIMAL(38,18)"}


def test_unpriced_calls_have_null_cost_never_zero(priced_warehouse: PricedWarehouse) -> None:
    with duckdb.connect(str(priced_warehouse.db_path), read_only=True) as con:
        bad = con.sql(
            "select count(*) from core.usage_logs where cost_status = 'unpriced'"
            " and (cost_usd is not null or computed_cost_usd is not null or unpriced_reason is null)"
        ).fetchall()
    assert bad == [(0,)]


def _litellm_cost(litellm: Any, key: str, provider: str, call: dict[str, Any]) -> Decimal:
    """litellm.cost_per_token of the call's usage (prompt + completion), as an exact Decimal of its float."""
    from litellm.types.utils import (  # noqa: PLC0415 (dev dependency, slow to import)
        CacheCreationTokenDetails,
        CompletionTokensDetailsWrapper,
        PromptTokensDetailsWrapper,
        Usage,
    )

    write, write_1h = call["cache_creation_input_tokens"], call["cache_creation_1h_input_tokens"]
    usage = Usage(
        prompt_tokens=call["input_tokens"],
        completion_tokens=call["output_tokens"],
        total_tokens=call["input_tokens"] + call["output_tokens"],
        prompt_tokens_details=PromptTokensDetailsWrapper(
            cached_tokens=call["cache_read_input_tokens"],
            cache_creation_tokens=write,
            cache_creation_token_details=CacheCreationTokenDetails(
                ephemeral_5m_input_tokens=write - write_1h, ephemeral_1h_input_tokens=write_1h
            ),
        ),
        completion_tokens_details=CompletionTokensDetailsWrapper(reasoning_tokens=call["reasoning_output_tokens"]),
    )
    prompt_cost, completion_cost = litellm.cost_per_token(model=key, custom_llm_provider=provider, usage_object=usage)
    return Decimal(repr(prompt_cost)) + Decimal(repr(completion_cost))


def test_computed_cost_equals_litellms_own_calculator(priced_warehouse: PricedWarehouse) -> None:
    """Every computed cost of a model priced from a LiteLLM entry - the fallback's (shipped catalog) and the
    fixture's imported ones - equals litellm.cost_per_token on the same usage, to 1e-9 USD: 5-minute and 1-hour
    cache writes, cache reads, reasoning, long-context tiers (xAI's inclusive one too), completion and embedding
    entries. litellm runs offline (LITELLM_LOCAL_MODEL_COST_MAP=True): its bundled map is the shipped catalog
    (checked), plus the fixture's entries, registered."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm  # noqa: PLC0415 (dev dependency, slow to import)

    bundled = Path(litellm.__file__).parent / "model_prices_and_context_window_backup.json"
    assert bundled.read_bytes() == gzip.decompress(shipped_catalog(priced_warehouse.seeds_dir).read_bytes())
    fixture = json.loads(LITELLM_FIXTURE.read_text())
    imported = {"claude-sonnet-4-20250514", "gemini/gemini-2.5-flash-preview-04-17", "o3-mini"}
    litellm.register_model({key: fixture[key] for key in imported})
    keys = {row["llm_id"]: row for row in read_seed(priced_warehouse.seeds_dir / "llm_catalog.csv", ())}
    fallback = {row["llm_id"]: row for row in read_seed(priced_warehouse.seeds_dir / "litellm_prices.csv", ())}
    actual = _usage_logs(priced_warehouse.db_path)
    checked: Counter[str] = Counter()
    mismatches = []
    for call in priced_warehouse.calls:
        got = actual[call["event_id"]]
        if got["computed_cost_usd"] is None:
            continue
        if got["price_id"].endswith("@litellm-1.110.2"):
            key, provider = fallback[got["llm_id"]]["litellm_key"], fallback[got["llm_id"]]["litellm_provider"]
        elif keys[got["llm_id"]]["litellm_key"] in imported and got["price_id"].endswith("@2026-12-01"):
            key = keys[got["llm_id"]]["litellm_key"]
            provider = fixture[key]["litellm_provider"]
        else:
            continue
        write, write_1h = call["cache_creation_input_tokens"], call["cache_creation_1h_input_tokens"]
        theirs = _litellm_cost(litellm, key, provider, call)
        if abs(got["computed_cost_usd"] - theirs) > Decimal("1e-9"):
            mismatches.append((key, call, got["computed_cost_usd"], theirs))
        checked["1h" if write_1h else "5m" if write else "none"] += 1
        checked["tier" if got["is_long_context_tier"] else "base"] += 1
        checked[key] += 1
    assert not mismatches, f"{len(mismatches)} calls differ from LiteLLM, first ones: {mismatches[:3]}"
    assert checked["1h"] > 300 and checked["5m"] > 100 and checked["tier"] > 100
    assert checked["xai/grok-4.3"] > 30 and checked["claude-sonnet-4-20250514"] > 30
    assert sum(checked.values()) > 2 * 4_000
