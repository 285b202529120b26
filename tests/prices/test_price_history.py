"""The price seed reproduces the dated changes of data/llm_price_history_facts.csv and is well formed."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from synapscale.prices.seeds import CATALOG_COLUMNS, PRICE_COLUMNS, read_seed, write_seed
from tests.support.cost_reference import load_prices, price_in_force
from tests.support.paths import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds"
PRICES = load_prices(SEEDS, litellm=False)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (llm_id, first instant of the price, input, output, cache read, tier input, tier output) from the facts file
FACTS = [
    ("gpt-4o", "2024-05-13", "5", "15", None, None, None),
    ("gpt-4o", "2024-10-02", "2.5", "10", "1.25", None, None),
    ("gpt-4o-2024-08-06", "2024-08-06", "2.5", "10", None, None, None),
    ("gpt-4o-2024-08-06", "2024-10-01", "2.5", "10", "1.25", None, None),
    ("gpt-4o-2024-05-13", "2024-05-13", "5", "15", None, None, None),
    ("gpt-4o-mini", "2024-07-18", "0.15", "0.6", None, None, None),
    ("gpt-4o-mini", "2024-10-01", "0.15", "0.6", "0.075", None, None),
    ("gpt-4-turbo", "2024-04-09", "10", "30", None, None, None),
    ("gpt-3.5-turbo", "2024-01-25", "0.5", "1.5", None, None, None),
    ("gemini-1.5-flash", "2024-05-30", "0.35", "1.05", None, "0.7", "2.1"),
    ("gemini-1.5-flash", "2024-08-12", "0.075", "0.3", None, "0.15", "0.6"),
    ("gemini-1.5-pro", "2024-05-30", "3.5", "10.5", None, "7", "21"),
    ("gemini-1.5-pro", "2024-10-01", "1.25", "5", None, "2.5", "10"),
    ("claude-3-opus", "2024-03-04", "15", "75", None, None, None),
    ("claude-3-opus", "2024-08-14", "15", "75", "1.5", None, None),
    ("claude-3-sonnet", "2024-03-04", "3", "15", None, None, None),
    ("claude-3-haiku", "2024-03-13", "0.25", "1.25", None, None, None),
    ("claude-3-haiku", "2024-08-14", "0.25", "1.25", "0.03", None, None),
    ("grok-2", "2024-12-12", "2", "10", None, None, None),
    ("deepseek-chat", "2024-12-26", "0.14", "0.28", "0.014", None, None),
    ("deepseek-chat", "2025-02-08 16:00", "0.27", "1.1", "0.07", None, None),
    ("deepseek-chat", "2025-09-05 16:00", "0.56", "1.68", "0.07", None, None),
    ("deepseek-chat", "2025-09-29", "0.28", "0.42", "0.028", None, None),
    ("deepseek-chat", "2026-07-24", "0.14", "0.28", "0.0028", None, None),
    ("llama-3.1-405b", "2024-07-23", "3.5", "3.5", None, None, None),
]


@pytest.mark.parametrize(("llm_id", "starts", "input_rate", "output_rate", "cache_read", "tier_in", "tier_out"), FACTS)
def test_price_in_force_from_each_dated_change(
    llm_id: str,
    starts: str,
    input_rate: str,
    output_rate: str,
    cache_read: str | None,
    tier_in: str | None,
    tier_out: str | None,
) -> None:
    at = _at(starts)
    price = price_in_force(PRICES[llm_id], at)
    assert price is not None and price.effective_from == at
    dec = {k: v for k, v in price.rates.items()}
    assert (dec["input_usd_per_1m"], dec["output_usd_per_1m"]) == (Decimal(input_rate), Decimal(output_rate))
    assert dec["cache_read_usd_per_1m"] == (Decimal(cache_read) if cache_read else None)
    assert dec["tier_input_usd_per_1m"] == (Decimal(tier_in) if tier_in else None)
    assert dec["tier_output_usd_per_1m"] == (Decimal(tier_out) if tier_out else None)
    assert price.tier_threshold_tokens == (128_000 if tier_in else None)
    before = price_in_force(PRICES[llm_id], at - timedelta(microseconds=1))
    assert before is None or before.price_id != price.price_id


def test_claude_3_cache_write_prices() -> None:
    opus = price_in_force(PRICES["claude-3-opus"], _at("2024-08-14"))
    haiku = price_in_force(PRICES["claude-3-haiku"], _at("2024-08-14"))
    sonnet = price_in_force(PRICES["claude-3-sonnet"], _at("2024-08-14"))
    assert opus and opus.rates["cache_write_usd_per_1m"] == Decimal("18.75")
    assert haiku and haiku.rates["cache_write_usd_per_1m"] == Decimal("0.3")
    assert sonnet and sonnet.rates["cache_write_usd_per_1m"] is None and sonnet.rates["cache_read_usd_per_1m"] is None


def test_every_model_of_the_original_catalog_has_a_price() -> None:
    original = {
        "gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-3.5-turbo", "claude-3-opus", "claude-3-sonnet",
        "claude-3-haiku", "gemini-1.5-pro", "gemini-1.5-flash", "grok-2", "deepseek-chat", "llama-3.1-405b",
    }  # fmt: skip
    with (SEEDS / "llm_catalog.csv").open(newline="") as handle:
        catalog = {row["llm_id"] for row in csv.DictReader(handle)}
    assert original <= catalog and original <= set(PRICES)


def test_each_model_has_one_open_row_at_most_and_no_overlap() -> None:
    for llm_id, rows in PRICES.items():
        assert sum(row.effective_to is None for row in rows) <= 1, llm_id
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.effective_to is not None and earlier.effective_to <= later.effective_from, llm_id


@pytest.mark.parametrize(
    ("name", "columns", "sort_by"),
    [
        ("llm_prices.csv", PRICE_COLUMNS, ("llm_id", "effective_from")),
        ("llm_catalog.csv", CATALOG_COLUMNS, ("llm_id",)),
    ],
)
def test_seed_files_are_in_the_importers_canonical_form(tmp_path, name, columns, sort_by) -> None:
    """So a no-op import never rewrites them and diffs stay readable."""
    rewritten = tmp_path / name
    write_seed(rewritten, columns, read_seed(SEEDS / name, columns), sort_by)
    assert rewritten.read_bytes() == (SEEDS / name).read_bytes()
