"""A LiteLLM catalog entry's token prices as the price seed's rates (USD per 1M tokens): the conversion the
catalog import (litellm.py) and the shipped fallback (litellm_fallback.py) share."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from synapscale.prices.seeds import format_number

PER_MILLION = Decimal(1_000_000)
# DECIMAL(20,12) per 1M tokens = 18 decimals per token, the scale of every cost column.
RATE_QUANTUM = Decimal("1e-12")
TIER_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
CACHE_WRITE_1H_KEY = "cache_creation_input_token_cost_above_1hr"
# LiteLLM's calculator bills the tier from the threshold on (>=) for these providers; the seed's rule is >.
INCLUSIVE_THRESHOLD_PROVIDERS = frozenset({"xai"})
# LiteLLM's calculator for these providers reads neither the long-context tier nor the cache-write rates.
FLAT_PROVIDERS = frozenset({"perplexity"})
# LiteLLM prices a Fireworks AI cache read without its own price at this share of the input rate.
FIREWORKS_CACHE_READ_RATIO = Decimal("0.5")


@dataclass(frozen=True)
class Rates:
    """One price row's rates, USD per 1M tokens (None = not set, the dbt fallbacks apply)."""

    input_usd_per_1m: Decimal
    output_usd_per_1m: Decimal
    cache_read_usd_per_1m: Decimal | None = None
    cache_write_usd_per_1m: Decimal | None = None
    cache_write_1h_usd_per_1m: Decimal | None = None
    reasoning_usd_per_1m: Decimal | None = None
    tier_threshold_tokens: int | None = None
    tier_input_usd_per_1m: Decimal | None = None
    tier_output_usd_per_1m: Decimal | None = None
    tier_cache_read_usd_per_1m: Decimal | None = None
    tier_cache_write_usd_per_1m: Decimal | None = None
    tier_cache_write_1h_usd_per_1m: Decimal | None = None

    @classmethod
    def from_row(cls, row: dict[str, str]) -> Rates:
        values: dict[str, Any] = {}
        for f in fields(cls):
            text = (row.get(f.name) or "").strip()
            if not text:
                values[f.name] = None
            elif f.name == "tier_threshold_tokens":
                values[f.name] = int(text)
            else:
                values[f.name] = Decimal(text)
        return cls(**values)

    def as_row(self) -> dict[str, str]:
        return {f.name: format_number(getattr(self, f.name)) for f in fields(self)}


def rates_from_entry(entry: dict[str, Any]) -> tuple[Rates | None, bool]:
    """(rates per 1M tokens, whether any had to be rounded); None when the entry has no token prices.

    The rates mean what LiteLLM's cost calculator makes of the entry (litellm_core_utils/llm_cost_calc), in the
    columns of the price seed, whose fallbacks (docs/cost.md, rules 4-5) then give the same rate:
    - the 1-hour cache write is ``cache_creation_input_token_cost_above_1hr`` (none: the 5-minute write rate);
    - above the long-context threshold, a cache rate without its own ``_above_<N>k_tokens`` price keeps the
      entry's base cache rate (not the tier input rate);
    - xAI bills the tier from the threshold on (``>=``): the seed's strict ``>`` gets threshold - 1;
    - Fireworks AI without a cache-read price reads cached tokens at half the input rate;
    - Perplexity is billed with neither a long-context tier nor a cache-write rate (cache writes at the input
      rate), as LiteLLM's Perplexity calculator does.
    """
    per_million = _PerMillion(entry)
    input_rate, output_rate = per_million("input_cost_per_token"), per_million("output_cost_per_token")
    if input_rate is None or output_rate is None or not _representable(entry):
        return None, False
    provider = entry.get("litellm_provider")
    cache_read = per_million("cache_read_input_token_cost")
    if cache_read is None and provider == "fireworks_ai":
        cache_read = input_rate * FIREWORKS_CACHE_READ_RATIO
    flat = provider in FLAT_PROVIDERS
    cache_write = None if flat else per_million("cache_creation_input_token_cost")
    cache_write_1h = None if flat else per_million(CACHE_WRITE_1H_KEY)
    tiers = tier_thresholds(entry)
    tier_rates: dict[str, Any] = {}
    if tiers and not flat:
        base = {
            "cache_read_input_token_cost": cache_read,
            "cache_creation_input_token_cost": cache_write,
            CACHE_WRITE_1H_KEY: cache_write_1h,
        }
        tier_rates = _tier_rates(per_million, tiers[0], provider, base)
    rates = Rates(
        input_usd_per_1m=input_rate,
        output_usd_per_1m=output_rate,
        cache_read_usd_per_1m=cache_read,
        cache_write_usd_per_1m=cache_write,
        cache_write_1h_usd_per_1m=cache_write_1h,
        reasoning_usd_per_1m=per_million("output_cost_per_reasoning_token"),
        **tier_rates,
    )
    return rates, per_million.rounded


class _PerMillion:
    """An entry's price per token under `key` as USD per 1M tokens, quantized to the seed's precision (None when
    absent, not a number, or negative); `rounded` says whether any had to be rounded."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.rounded = False

    def __call__(self, key: str) -> Decimal | None:
        value = self.entry.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None
        rate = Decimal(value) * PER_MILLION
        if rate < 0:
            return None
        exact = rate.quantize(RATE_QUANTUM)
        if exact != rate:
            self.rounded = True
        return exact


def _tier_rates(
    per_million: _PerMillion, tier: int, provider: str | None, base: dict[str, Decimal | None]
) -> dict[str, Any]:
    """The long-context tier's columns: its own `_above_<N>k_tokens` prices; a cache rate without one keeps the
    entry's base rate (`base`, by LiteLLM key)."""
    suffix = f"_above_{tier}k_tokens"

    def at_tier(key: str) -> Decimal | None:
        own = per_million(f"{key}{suffix}")
        return own if own is not None else base[key]

    return {
        "tier_threshold_tokens": tier * 1000 - (1 if provider in INCLUSIVE_THRESHOLD_PROVIDERS else 0),
        "tier_input_usd_per_1m": per_million(f"input_cost_per_token{suffix}"),
        "tier_output_usd_per_1m": per_million(f"output_cost_per_token{suffix}"),
        "tier_cache_read_usd_per_1m": at_tier("cache_read_input_token_cost"),
        "tier_cache_write_usd_per_1m": at_tier("cache_creation_input_token_cost"),
        "tier_cache_write_1h_usd_per_1m": at_tier(CACHE_WRITE_1H_KEY),
    }


def _representable(entry: dict[str, Any]) -> bool:
    """False for prices the engine has no column for: several long-context tiers, a `tiered_pricing` table, a
    fee per request (pricing such an entry by its token rates alone would be wrong, so it stays unpriced)."""
    one_tier = len(tier_thresholds(entry)) <= 1
    return one_tier and "tiered_pricing" not in entry and not entry.get("input_cost_per_request")


def tier_thresholds(entry: dict[str, Any]) -> list[int]:
    """The entry's long-context thresholds in thousands of tokens (``input_cost_per_token_above_<N>k_tokens``)."""
    return sorted(int(match.group(1)) for key in entry if (match := TIER_KEY.match(key)))
