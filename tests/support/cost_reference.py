"""An independent reference for the cost rules: reads the price seed with the csv module and prices calls in
Python Decimal. It shares no code with the dbt models or synapscale/prices/, on purpose.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

from tests.support.paths import FIXTURES

LITELLM_FIXTURE = FIXTURES / "prices" / "litellm_fixture.json"

MILLION = Decimal(1_000_000)

# Raw model names as clients, gateways and clouds report them -> the canonical llm_id they must resolve to
# (None = must stay unresolved). Written by hand, not derived from the normalisation code.
RAW_NAMES: dict[str | None, tuple[str, ...]] = {
    "gpt-4o": (
        "gpt-4o",
        "GPT-4o",
        "openai/gpt-4o",
        "azure/gpt-4o",
        "openrouter/openai/gpt-4o",
        "my-gpt4o-prod",
        "gpt-4o-2024-11-20",
    ),
    "gpt-4o-2024-08-06": ("gpt-4o-2024-08-06", "openai/gpt-4o-2024-08-06", "azure/gpt-4o-2024-08-06"),
    "gpt-4o-2024-05-13": ("gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13"),
    "gpt-4o-mini": ("gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini", "my-gpt4o-mini-dev"),
    "gpt-4-turbo": ("gpt-4-turbo", "gpt-4-turbo-2024-04-09", "gpt-4-turbo-preview"),
    "gpt-3.5-turbo": ("gpt-3.5-turbo", "gpt-3.5-turbo-0125", "gpt-35-turbo", "azure/gpt-35-turbo"),
    "claude-3-opus": (
        "claude-3-opus-20240229",
        "anthropic/claude-3-opus-20240229",
        "anthropic.claude-3-opus-20240229-v1:0",
        "bedrock/anthropic.claude-3-opus-20240229-v1:0",
        "claude-3-opus-latest",
        "vertex_ai/claude-3-opus@20240229",
    ),
    "claude-3-sonnet": ("claude-3-sonnet-20240229", "us.anthropic.claude-3-sonnet-20240229-v1:0"),
    "claude-3-haiku": (
        "claude-3-haiku-20240307",
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "eu.anthropic.claude-3-haiku-20240307-v1:0",
        "apac.anthropic.claude-3-haiku-20240307-v1:0",
    ),
    "gemini-1.5-pro": (
        "gemini-1.5-pro",
        "gemini-1.5-pro-002",
        "gemini/gemini-1.5-pro-latest",
        "models/gemini-1.5-pro-001",
        "vertex_ai/gemini-1.5-pro",
    ),
    "gemini-1.5-flash": ("gemini-1.5-flash", "gemini-1.5-flash-002", "gemini/gemini-1.5-flash"),
    "grok-2": ("grok-2", "grok-2-1212", "xai/grok-2-latest"),
    "deepseek-chat": ("deepseek-chat", "deepseek/deepseek-chat", "DeepSeek-Chat"),
    "llama-3.1-405b": (
        "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo",
        "together_ai/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo",
        "meta.llama3-1-405b-instruct-v1:0",
        "us.meta.llama3-1-405b-instruct-v1:0",
        "llama-3.1-405b",
    ),
    None: ("gemini-1.5-flash-8b", "chatgpt-4o-latest", "my-unknown-deployment", "gpt-6", "openai/gpt-6-preview"),
}
# Models only the LiteLLM fallback knows (seeds/litellm_prices.csv): never priced as a curated lookalike, priced by
# their own LiteLLM entry. Written by hand, like RAW_NAMES.
LITELLM_RAW_NAMES: dict[str | None, tuple[str, ...]] = {
    "gpt-5": ("gpt-5", "openai/gpt-5", "azure/gpt-5", "GPT-5"),
    "gpt-5-mini": ("gpt-5-mini", "openai/gpt-5-mini"),
    "claude-sonnet-4-5": ("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"),
    # Bedrock's Claude Sonnet 4.5: 5-minute and 1-hour cache writes, each with its own rate above 200k
    "claude-sonnet-4-5-20250929-v1:0": (
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
    ),
    "gemini-2.5-pro": ("gemini-2.5-pro", "gemini/gemini-2.5-pro", "vertex_ai/gemini-2.5-pro"),
    "grok-4.3": ("xai/grok-4.3", "grok-4.3"),  # xAI's tier starts AT its threshold
    "claude-3-5-sonnet": ("claude-3-5-sonnet-20240620",),  # normalised: the -20240620 suffix goes
    "claude-3-5-sonnet-20240620-v1:0": ("anthropic.claude-3-5-sonnet-20240620-v1:0",),
    "gpt-3.5-turbo-1106": ("gpt-3.5-turbo-1106",),
    "gpt-3.5-turbo-instruct": ("gpt-3.5-turbo-instruct",),  # mode completion
    "text-embedding-3-small": ("text-embedding-3-small", "openai/text-embedding-3-small"),  # mode embedding
    "fireworks_ai/accounts/fireworks/models/deepseek-coder-v2-instruct": (
        "fireworks_ai/accounts/fireworks/models/deepseek-coder-v2-instruct",
    ),
}
# The instant the LiteLLM fallback rows start: they apply at any time (one snapshot, no history).
ALWAYS = datetime(1, 1, 1, tzinfo=UTC)
# Models the LiteLLM fixture adds (tests/fixtures/prices/litellm_fixture.json).
IMPORTED_RAW_NAMES: dict[str | None, tuple[str, ...]] = {
    "claude-sonnet-4-20250514": ("claude-sonnet-4-20250514", "anthropic/claude-sonnet-4-20250514"),
    "gemini-2.5-flash-preview-04-17": ("gemini/gemini-2.5-flash-preview-04-17",),
    "o3-mini": ("o3-mini", "openai/o3-mini"),
    "databricks/databricks-claude-sonnet-4-1": ("databricks/databricks-claude-sonnet-4-1",),
}


@dataclass(frozen=True)
class PriceRow:
    price_id: str
    llm_id: str
    effective_from: datetime
    effective_to: datetime | None
    rates: dict[str, Decimal | None]
    tier_threshold_tokens: int | None
    source: str = "curated"
    litellm_key: str | None = None
    litellm_provider: str | None = None


@dataclass(frozen=True)
class Expected:
    llm_id: str | None
    price_id: str | None
    computed_cost_usd: Decimal | None
    cost_usd: Decimal | None
    cost_status: str
    unpriced_reason: str | None
    is_long_context_tier: bool
    price_source: str | None


def _timestamp(text: str) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def load_prices(seeds_dir: Path, litellm: bool = True) -> dict[str, list[PriceRow]]:
    """The curated rows of llm_prices.csv, then (litellm=True) the LiteLLM fallback's rows (litellm_prices.csv) of
    the models the curated seeds do not have (a fallback row whose llm_id a curated name resolves is never used by
    dbt, and no hand-written expectation points at one)."""
    by_model: dict[str, list[PriceRow]] = {}
    with (seeds_dir / "llm_prices.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            start = _timestamp(row["effective_from"])
            assert start is not None
            by_model.setdefault(row["llm_id"], []).append(_price_row(row, start, _timestamp(row["effective_to"])))
    curated = set(by_model) if litellm else None
    with (seeds_dir / "litellm_prices.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if curated is not None and row["llm_id"] not in curated:
                by_model[row["llm_id"]] = [_price_row(row, ALWAYS, None, "litellm")]
    for rows in by_model.values():
        rows.sort(key=lambda price: price.effective_from)
    return by_model


def _price_row(row: dict[str, str], start: datetime, end: datetime | None, source: str = "curated") -> PriceRow:
    return PriceRow(
        price_id=row["price_id"],
        llm_id=row["llm_id"],
        effective_from=start,
        effective_to=end,
        rates={k: (Decimal(v) if v else None) for k, v in row.items() if k.endswith("_usd_per_1m")},
        tier_threshold_tokens=int(row["tier_threshold_tokens"]) if row["tier_threshold_tokens"] else None,
        source=source,
        litellm_key=row.get("litellm_key"),
        litellm_provider=row.get("litellm_provider"),
    )


def price_in_force(rows: list[PriceRow], at: datetime) -> PriceRow | None:
    for price in rows:
        if price.effective_from <= at and (price.effective_to is None or at < price.effective_to):
            return price
    return None


def _first(*values: Decimal | None) -> Decimal:
    for value in values:
        if value is not None:
            return value
    raise ValueError("no rate")


def _rates(r: dict[str, Decimal | None], tier: bool) -> tuple[Decimal, ...]:
    """(input, cache read, cache write 5m, cache write 1h, output, reasoning) rates with their fallbacks."""
    if tier:
        input_rate = _first(r["tier_input_usd_per_1m"], r["input_usd_per_1m"])
        output_rate = _first(r["tier_output_usd_per_1m"], r["output_usd_per_1m"])
        read_rate = _first(r["tier_cache_read_usd_per_1m"], input_rate)
        write_rate = _first(r["tier_cache_write_usd_per_1m"], input_rate)
        write_1h_rate = _first(r["tier_cache_write_1h_usd_per_1m"], write_rate)
        return input_rate, read_rate, write_rate, write_1h_rate, output_rate, output_rate
    input_rate, output_rate = _first(r["input_usd_per_1m"]), _first(r["output_usd_per_1m"])
    read_rate = _first(r["cache_read_usd_per_1m"], input_rate)
    write_rate = _first(r["cache_write_usd_per_1m"], input_rate)
    write_1h_rate = _first(r["cache_write_1h_usd_per_1m"], write_rate)
    return input_rate, read_rate, write_rate, write_1h_rate, output_rate, _first(r["reasoning_usd_per_1m"], output_rate)


def expected_cost(call: dict[str, Any], llm_id: str | None, prices: dict[str, list[PriceRow]]) -> Expected:
    """The cost rules of docs/cost.md, written out plainly."""
    price = price_in_force(prices.get(llm_id, []), call["occurred_at"]) if llm_id else None
    provider_cost = call.get("provider_cost_usd")
    computed, reason, tier = None, None, False
    input_tokens, output_tokens = call["input_tokens"], call["output_tokens"]
    if llm_id is None:
        reason = "unknown_model"
    elif price is None:
        reason = "no_price_in_force"
    elif input_tokens is None or output_tokens is None:
        reason = "missing_token_counts"
    else:
        cache_read, cache_write = call["cache_read_input_tokens"], call["cache_creation_input_tokens"]
        write_1h = call.get("cache_creation_1h_input_tokens") or 0
        write_5m = cache_write - write_1h
        reasoning = call["reasoning_output_tokens"]
        uncached, visible = input_tokens - cache_read - cache_write, output_tokens - reasoning
        if uncached < 0 or visible < 0 or write_5m < 0:
            reason = "invalid_token_counts"
        else:
            tier = price.tier_threshold_tokens is not None and input_tokens > price.tier_threshold_tokens
            input_rate, read_rate, write_rate, write_1h_rate, output_rate, reasoning_rate = _rates(price.rates, tier)
            with localcontext() as ctx:
                ctx.prec = 60
                computed = (
                    uncached * input_rate
                    + cache_read * read_rate
                    + write_5m * write_rate
                    + write_1h * write_1h_rate
                    + visible * output_rate
                    + reasoning * reasoning_rate
                ) / MILLION
    if provider_cost is not None:
        status, cost, unpriced_reason = "provider_reported", provider_cost, None
    elif computed is not None:
        status, cost, unpriced_reason = "computed", computed, None
    else:
        status, cost, unpriced_reason = "unpriced", None, reason
    return Expected(
        llm_id=llm_id,
        price_id=price.price_id if price else None,
        computed_cost_usd=computed,
        cost_usd=cost,
        cost_status=status,
        unpriced_reason=unpriced_reason,
        is_long_context_tier=tier,
        price_source={"provider_reported": "provider_reported", "computed": price.source if price else None}.get(
            status
        ),
    )


def _tokens(rng: random.Random, threshold: int | None) -> dict[str, int | None]:
    roll = rng.random()
    if roll < 0.01:
        return {
            "input_tokens": None,
            "output_tokens": rng.randint(0, 100),
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
            "cache_creation_1h_input_tokens": 0,
            "reasoning_output_tokens": 0,
        }
    if roll < 0.25:  # at, just below and just above a tier threshold (128k when the row has none)
        input_tokens = (threshold or 128_000) + rng.randint(-2, 2)
    elif roll < 0.6:
        input_tokens = rng.randint(0, 5_000)
    elif roll < 0.9:
        input_tokens = rng.randint(5_000, 128_000)
    else:
        input_tokens = rng.randint(128_000, 1_000_000)
    tokens = split_tokens(rng, input_tokens, read=0.35, write=0.25, max_output=20_000, reasoning=0.35)
    roll = rng.random()
    if roll < 0.02:  # inconsistent counts (ingest would quarantine them; the model must not price them)
        tokens["cache_read_input_tokens"] = input_tokens + rng.randint(1, 50)
    elif roll < 0.03:
        tokens["cache_creation_1h_input_tokens"] = tokens["cache_creation_input_tokens"] + rng.randint(1, 50)
    return tokens


def split_tokens(
    rng: random.Random, input_tokens: int, *, read: float, write: float, max_output: int, reasoning: float
) -> dict[str, int | None]:
    """A call's token counts around `input_tokens`: cache reads (with chance `read`) and writes (`write`) inside
    the input, half of the writes' calls with a 1-hour part, output up to `max_output`, reasoning (`reasoning`)
    inside it."""
    cache_read = rng.randint(0, input_tokens) if rng.random() < read else 0
    cache_write = rng.randint(0, input_tokens - cache_read) if rng.random() < write else 0
    write_1h = rng.randint(0, cache_write) if rng.random() < 0.5 else 0  # the 1-hour part of the writes
    output_tokens = rng.randint(0, max_output)
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
        "cache_creation_1h_input_tokens": write_1h,
        "reasoning_output_tokens": rng.randint(0, output_tokens) if rng.random() < reasoning else 0,
    }


def _occurred_at(rng: random.Random, rows: list[PriceRow]) -> tuple[datetime, int | None]:
    """A time inside a price period, at or one microsecond/second before a change, or outside every period."""
    if not rows:
        start = datetime(2024, 1, 1, tzinfo=UTC)
        return start + timedelta(seconds=rng.randint(0, 3 * 365 * 86_400)), None
    row = rng.choice(rows)
    if row.effective_from == ALWAYS:  # a LiteLLM fallback row: any time
        start = datetime(2024, 1, 1, tzinfo=UTC)
        return start + timedelta(microseconds=rng.randint(0, 3 * 365 * 86_400 * 10**6)), row.tier_threshold_tokens
    roll = rng.random()
    if roll < 0.6:
        span = (row.effective_to - row.effective_from) if row.effective_to else timedelta(days=400)
        at = row.effective_from + timedelta(microseconds=rng.randint(0, int(span.total_seconds() * 1e6) - 1))
    elif roll < 0.75:
        at = row.effective_from
    elif roll < 0.85:
        at = row.effective_from - timedelta(microseconds=1)
    elif roll < 0.95:
        at = row.effective_from - timedelta(seconds=1)
    else:
        last = rows[-1]
        at = (last.effective_to or last.effective_from + timedelta(days=800)) + timedelta(days=rng.randint(0, 60))
    return at, row.tier_threshold_tokens


def generate_calls(
    count: int, prices: dict[str, list[PriceRow]], raw_names: dict[str | None, tuple[str, ...]], seed: int = 20241002
) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """Random raw usage events across every model, price period and token mix; and event_id -> llm_id."""
    rng = random.Random(seed)
    models = list(raw_names)
    calls, expected_llm = [], {}
    for number in range(count):
        llm_id = models[number % len(models)]  # every model, evenly
        raw = rng.choice(raw_names[llm_id])
        at, threshold = _occurred_at(rng, prices.get(llm_id, []) if llm_id else [])
        event_id = f"evt-{number:06d}"
        provider_cost = None
        if rng.random() < 0.1:
            provider_cost = Decimal(rng.randint(0, 10**15)) / Decimal(10**18) * rng.choice([1, 1000, 1_000_000])
        calls.append(
            {
                "event_id": event_id,
                "occurred_at": at,
                "workspace_id": f"ws-{rng.randint(1, 5)}",
                "user_id": f"user-{rng.randint(1, 40)}",
                "provider": raw.split("/")[0] if "/" in raw else "openai",
                "model": raw,
                "operation": "chat",
                **_tokens(rng, threshold),
                "status": "success" if rng.random() < 0.95 else "error",
                "provider_cost_usd": provider_cost,
            }
        )
        expected_llm[event_id] = llm_id
    return calls, expected_llm


# The generator's raw model names (synapscale/generate/catalog.py) -> the llm_id they must price as (curated
# catalog or the LiteLLM fallback), written by hand (None: an unknown model).
LLM_ID_OF_RAW_NAME: dict[str, str | None] = {
    "gpt-4o": "gpt-4o",
    "gpt-4o-2024-08-06": "gpt-4o-2024-08-06",
    "openai/gpt-4o": "gpt-4o",
    "gpt-4o-mini": "gpt-4o-mini",
    "openai/gpt-4o-mini": "gpt-4o-mini",
    "gpt-4-turbo": "gpt-4-turbo",
    "gpt-3.5-turbo": "gpt-3.5-turbo",
    "claude-3-opus-20240229": "claude-3-opus",
    "us.anthropic.claude-3-opus-20240229-v1:0": "claude-3-opus",
    "claude-3-sonnet-20240229": "claude-3-sonnet",
    "claude-3-haiku-20240307": "claude-3-haiku",
    "anthropic.claude-3-haiku-20240307-v1:0": "claude-3-haiku",
    "gemini-1.5-pro": "gemini-1.5-pro",
    "gemini-1.5-flash": "gemini-1.5-flash",
    "grok-2": "grok-2",
    "deepseek-chat": "deepseek-chat",
    "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo": "llama-3.1-405b",
    "o1-mini": "o1-mini",  # the LiteLLM fallback prices it (seeds/litellm_prices.csv)
    "mistral-large-latest": "mistral-large-latest",  # the LiteLLM fallback too
    "ft:gpt-4o-mini:acme::9xQ2": None,
}
