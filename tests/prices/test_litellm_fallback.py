"""The LiteLLM fallback seed (seeds/litellm_prices.csv) against the shipped catalog it is written from (no dbt)."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from synapscale.cli import main
from synapscale.errors import UserError
from synapscale.prices.litellm_fallback import FALLBACK_FILE, shipped_catalog, write_litellm_fallback
from tests.support.paths import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds"


def _catalog() -> dict:
    with gzip.open(shipped_catalog(SEEDS), "rt", encoding="utf-8") as handle:
        return json.load(handle, parse_float=Decimal)


@pytest.fixture(scope="module")
def fallback() -> dict[str, dict[str, str]]:
    with (SEEDS / FALLBACK_FILE).open(newline="", encoding="utf-8") as handle:
        return {row["llm_id"]: row for row in csv.DictReader(handle)}


def test_the_committed_seed_is_what_the_command_writes_from_the_shipped_catalog(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS / "litellm", seeds / "litellm")
    lines: list[str] = []
    write_litellm_fallback(shipped_catalog(seeds), seeds, "1.110.2", progress=lines.append)
    assert (seeds / FALLBACK_FILE).read_bytes() == (SEEDS / FALLBACK_FILE).read_bytes()
    assert shipped_catalog(seeds).read_bytes() == shipped_catalog(SEEDS).read_bytes()
    assert lines[0].startswith("litellm-fallback 1.110.2: 3338 models priced")


def test_the_command_ships_a_plain_json_catalog_gzipped_and_replaces_the_old_copy(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS / "litellm", seeds / "litellm")
    plain = tmp_path / "model_prices_and_context_window.json"
    entry = {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}
    plain.write_text(json.dumps({"gpt-9": entry}))
    assert main(["prices", "litellm-fallback", str(plain), "--version", "9.0.0", "--seeds-dir", str(seeds)]) == 0
    assert [p.name for p in (seeds / "litellm").iterdir()] == ["model_prices_and_context_window_9.0.0.json.gz"]
    with (seeds / FALLBACK_FILE).open(newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["llm_id"], row["price_id"], row["input_usd_per_1m"], row["output_usd_per_1m"]) == (
        "gpt-9",
        "gpt-9@litellm-9.0.0",
        "1",
        "2",
    )
    with pytest.raises(UserError, match="expected the LiteLLM release"):
        write_litellm_fallback(plain, seeds, "latest")


def _per_million(entry: dict, key: str) -> str:
    return format((entry[key] * 1_000_000).normalize(), "f")


def test_rates_mean_what_litellm_makes_of_the_entry(fallback: dict[str, dict[str, str]]) -> None:
    """Hand-picked entries, read straight from the JSON: each rule of rates_from_entry once."""
    catalog = _catalog()
    # 1-hour cache write, and its own rate above the 200k tier (Bedrock's Claude Sonnet 4.5)
    row, entry = fallback["claude-sonnet-4-5-20250929-v1:0"], catalog["anthropic.claude-sonnet-4-5-20250929-v1:0"]
    assert row["cache_write_usd_per_1m"] == _per_million(entry, "cache_creation_input_token_cost") == "3.75"
    assert row["cache_write_1h_usd_per_1m"] == _per_million(entry, "cache_creation_input_token_cost_above_1hr") == "6"
    assert row["tier_threshold_tokens"] == "200000"
    assert row["tier_cache_write_1h_usd_per_1m"] == "12"
    # above the tier, a cache rate without its own tier price keeps the base cache rate (not the tier input rate)
    row, entry = fallback["kyma/grok-4.3"], catalog["kyma/grok-4.3"]
    assert "cache_read_input_token_cost_above_200k_tokens" not in entry
    assert (
        row["tier_cache_read_usd_per_1m"]
        == row["cache_read_usd_per_1m"]
        == _per_million(entry, "cache_read_input_token_cost")
    )
    # xAI bills the tier from the threshold on: strictly above threshold - 1
    assert fallback["grok-4.3"]["litellm_key"] == "xai/grok-4.3"
    assert fallback["grok-4.3"]["tier_threshold_tokens"] == "199999"
    # Fireworks AI without a cache-read price: half the input rate
    row = fallback["fireworks_ai/accounts/fireworks/models/deepseek-coder-v2-instruct"]
    assert (row["input_usd_per_1m"], row["cache_read_usd_per_1m"]) == ("1.2", "0.6")


def test_which_entries_become_fallback_models(fallback: dict[str, dict[str, str]]) -> None:
    catalog = _catalog()
    assert {"gpt-5", "o3-mini", "claude-sonnet-4-5", "gemini-2.5-pro"} <= set(fallback)
    assert fallback["gemini-2.5-pro"]["provider"] == "google"
    # first-party key wins over provider copies that give the same llm_id
    assert fallback["gpt-5"]["litellm_key"] == "gpt-5" and "azure/gpt-5" in catalog
    # completion and embedding entries with per-token prices are priced too; an image model is not
    assert fallback["gpt-3.5-turbo-instruct"]["mode"] == "completion"
    assert fallback["text-embedding-3-small"]["mode"] == "embedding"
    assert not any(row["mode"] not in {"chat", "responses", "completion", "embedding"} for row in fallback.values())
    # prices the engine cannot represent stay unpriced instead of mispriced
    keys = {row["litellm_key"] for row in fallback.values()}
    for key, entry in catalog.items():
        if isinstance(entry, dict) and ("tiered_pricing" in entry or entry.get("input_cost_per_request")):
            assert key not in keys, key
    assert "kyma/qwen3.7-flash" not in keys  # two long-context tiers
