"""Usage events: conversations placed on a per-workspace daily curve (growth, weekly and local daily cycles,
decline), their messages a minute or two apart, a model mix per workspace, log-normal token counts, caching,
reasoning, errors, latency and gateway-reported cost.

Every draw comes from the one numpy Generator, in a fixed order (the functions below are called in sequence),
so the same config gives the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from synapscale.generate.catalog import (
    CACHING_KINDS,
    DAILY_CYCLE,
    ERROR_TYPES,
    FALLBACK_RAW_NAME,
    GATEWAY_PRICES,
    TAG_SETS,
    UNKNOWN_SHARE,
    UNKNOWN_VARIANTS,
    VARIANTS,
    variant_table,
)
from synapscale.generate.config import GeneratorConfig
from synapscale.generate.draws import ids, pick, sample_rows

MONEY_DTYPE = pl.Decimal(38, 18)
US_PER_DAY = 86_400_000_000
US_PER_HOUR = 3_600_000_000


@dataclass(frozen=True)
class Calls:
    """One entry per event, in time order: who made the call, with which model variant, and when."""

    occurred_us: np.ndarray
    workspace: np.ndarray
    user: np.ndarray
    conversation: np.ndarray
    variant: np.ndarray


def usage(
    rng: np.random.Generator,
    config: GeneratorConfig,
    workspaces: pl.DataFrame,
    users: pl.DataFrame,
    day_weights: np.ndarray | None = None,
) -> pl.DataFrame:
    """The usage events (plus the helper columns `_quality` and `_order` the later steps use). `day_weights`
    (one per day of the range) fixes each day's share of the events, keeping the workspaces' mix within a day
    (a batch uses it to put its events on its landing day and a few days before, see batch.py)."""
    table = variant_table()
    calls = _calls(rng, config, workspaces, users, day_weights)
    calls = _unknown_and_unreleased(rng, config, table, calls)
    tokens = _tokens(rng, table, calls, workspaces.height)
    outcome = _outcomes(rng, table, calls.variant, tokens)
    return _frame(rng, table, workspaces, users, calls, tokens, outcome, config.id_token)


def _activity(rng: np.random.Generator, config: GeneratorConfig, workspaces: pl.DataFrame) -> np.ndarray:
    """Relative activity per workspace and day: size x growth x weekly cycle x (start, decline) x noise."""
    days, count = config.days, config.workspaces
    t = np.arange(days)
    weekday = (config.first_day.weekday() + t) % 7
    weekly = np.where(weekday >= 5, 0.45, 1.0)
    growth = np.exp(np.outer(workspaces["_growth"].to_numpy(), t))
    active = t[None, :] >= workspaces["_start"].to_numpy()[:, None]
    fade_from = int(days * 0.7)
    decline = np.where(
        workspaces["_decline"].to_numpy()[:, None] & (t[None, :] > fade_from),
        np.exp(-0.06 * (t - fade_from)),
        1.0,
    )
    noise = rng.lognormal(0.0, 0.15, (count, days))
    return workspaces["_weight"].to_numpy()[:, None] * growth * weekly[None, :] * active * decline * noise


def _calls(
    rng: np.random.Generator,
    config: GeneratorConfig,
    workspaces: pl.DataFrame,
    users: pl.DataFrame,
    day_weights: np.ndarray | None,
) -> Calls:
    """Conversations first (geometric length, mean ~3.3 messages), then their messages a minute or two apart."""
    n, days, count = config.events, config.days, config.workspaces
    first_epoch_day = (config.first_day - date(1970, 1, 1)).days
    cells = _activity(rng, config, workspaces)
    if day_weights is not None:
        totals = cells.sum(axis=0)
        cells = cells / np.where(totals > 0, totals, 1.0) * day_weights
    lengths = rng.geometric(0.3, size=n)
    conversations = int(np.searchsorted(np.cumsum(lengths), n)) + 1
    lengths = lengths[:conversations]
    lengths[-1] -= int(lengths.sum()) - n
    cell = rng.choice(count * days, size=conversations, p=(cells / cells.sum()).ravel())
    conv_workspace, conv_day = cell // days, cell % days
    # Daily cycle in each workspace's local time, expressed as UTC hours.
    offsets = workspaces["_utc_offset"].to_numpy()
    hour_weights = DAILY_CYCLE[(np.arange(24)[None, :] + offsets[:, None]) % 24]
    conv_hour = sample_rows(rng, hour_weights, conv_workspace)
    conv_start = (
        (first_epoch_day + conv_day).astype(np.int64) * US_PER_DAY
        + conv_hour.astype(np.int64) * US_PER_HOUR
        + rng.integers(0, US_PER_HOUR, conversations)
    )
    # Users: a few heavy users per workspace (power law over the workspace's users).
    users_per_workspace = np.bincount(users["workspace_id"].str.slice(3).cast(pl.Int64).to_numpy() - 1, minlength=count)
    first_user = np.concatenate([[0], np.cumsum(users_per_workspace)[:-1]])
    conv_user = first_user[conv_workspace] + (
        users_per_workspace[conv_workspace] * rng.random(conversations) ** 2.2
    ).astype(np.int64)
    # Model: a per-workspace mix over the catalog variants; a conversation mostly stays on one model.
    popularity = np.array([v.popularity for v in VARIANTS])
    mix = rng.dirichlet(popularity / popularity.sum() * 4.0, size=count)
    conv_variant = sample_rows(rng, mix, conv_workspace)
    conversation = np.repeat(np.arange(conversations), lengths)
    gaps = rng.exponential(90_000_000, n).astype(np.int64)
    cumulative = np.cumsum(gaps)
    first_message = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    occurred_us = conv_start[conversation] + cumulative - cumulative[first_message][conversation]
    workspace = conv_workspace[conversation]
    switched = rng.random(n) < 0.1
    variant = np.where(switched, sample_rows(rng, mix, workspace), conv_variant[conversation])
    order = np.argsort(occurred_us, kind="stable")
    last_us = ((config.last_day - date(1970, 1, 1)).days + 1) * US_PER_DAY - 1
    return Calls(
        occurred_us=np.minimum(occurred_us[order], last_us),  # a conversation never runs past the last day
        workspace=workspace[order],
        user=conv_user[conversation][order],
        conversation=conversation[order],
        variant=variant[order],
    )


def _unknown_and_unreleased(
    rng: np.random.Generator, config: GeneratorConfig, table: dict[str, np.ndarray], calls: Calls
) -> Calls:
    """~0.5 % of calls use a model the catalog does not know; a model is never used before its release."""
    n = len(calls.variant)
    first_epoch_day = (config.first_day - date(1970, 1, 1)).days
    day = calls.occurred_us // US_PER_DAY - first_epoch_day
    unknown = rng.random(n) < UNKNOWN_SHARE
    variant = np.where(unknown, len(VARIANTS) + rng.integers(0, len(UNKNOWN_VARIANTS), n), calls.variant)
    fallback = [v.raw_name for v in VARIANTS].index(FALLBACK_RAW_NAME)
    variant = np.where(first_epoch_day + day < table["released_day"][variant], fallback, variant)
    return Calls(calls.occurred_us, calls.workspace, calls.user, calls.conversation, variant)


def _tokens(
    rng: np.random.Generator, table: dict[str, np.ndarray], calls: Calls, workspaces: int
) -> dict[str, np.ndarray]:
    """Inclusive token totals (log-normal; prompt size depends on the workspace's use case) and their cache and
    reasoning parts; cache reads and writes only on caching models."""
    variant, n = calls.variant, len(calls.variant)
    prompt_shift = rng.normal(0.0, 0.45, workspaces)[calls.workspace]
    input_tokens = np.clip(rng.lognormal(6.4 + prompt_shift, 1.0), 5, 120_000).astype(np.int64)
    reasoning_model = table["reasoning"][variant]
    output_tokens = np.clip(rng.lognormal(np.where(reasoning_model, 6.6, 5.2), 0.8), 1, 4096).astype(np.int64)
    # Per-variant facts looked up by index (comparing strings per event would be slow).
    caching = np.searchsorted(np.array(CACHING_KINDS), table["caching"])[variant]
    draw, share = rng.random(n), rng.random(n)
    cache_read = np.zeros(n, dtype=np.int64)
    openai_hit = (caching == CACHING_KINDS.index("openai")) & (input_tokens >= 1024) & (draw < 0.45)
    cache_read = np.where(openai_hit, (input_tokens * (0.25 + 0.65 * share)).astype(np.int64) // 128 * 128, cache_read)
    anthropic_read = (caching == CACHING_KINDS.index("anthropic")) & (draw < 0.3)
    cache_read = np.where(anthropic_read, (input_tokens * (0.3 + 0.6 * share)).astype(np.int64), cache_read)
    deepseek_hit = (caching == CACHING_KINDS.index("deepseek")) & (draw < 0.5)
    cache_read = np.where(deepseek_hit, (input_tokens * (0.2 + 0.7 * share)).astype(np.int64) // 64 * 64, cache_read)
    cache_write = np.where(
        (caching == CACHING_KINDS.index("anthropic")) & (draw >= 0.3) & (draw < 0.4),
        (input_tokens * (0.1 + 0.4 * share)).astype(np.int64),
        0,
    )
    reasoning = np.where(reasoning_model, (output_tokens * (0.4 + 0.45 * rng.random(n))).astype(np.int64), 0)
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
        "reasoning_output_tokens": reasoning,
    }


def _outcomes(
    rng: np.random.Generator, table: dict[str, np.ndarray], variant: np.ndarray, tokens: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Errors (no output tokens), time to first token and latency growing with input and output, streaming,
    finish reason. Updates the output and reasoning counts of failed calls in `tokens`."""
    n = len(variant)
    input_tokens = tokens["input_tokens"]
    is_error = rng.random(n) < table["error_rate"][variant]
    tokens["output_tokens"] = output_tokens = np.where(is_error, 0, tokens["output_tokens"])
    tokens["reasoning_output_tokens"] = np.where(is_error, 0, tokens["reasoning_output_tokens"])
    ttft = table["ttft_ms"][variant] * rng.lognormal(0.0, 0.35, n) * (1 + input_tokens / 60_000)
    generation = output_tokens / (table["tokens_per_second"][variant] * rng.lognormal(0.0, 0.2, n)) * 1000
    latency = np.where(is_error, ttft * rng.uniform(0.5, 3.0, n), ttft + generation)
    error_type = rng.integers(0, len(ERROR_TYPES), n)
    latency = np.where(is_error & (error_type == ERROR_TYPES.index("timeout")), 60_000.0, latency)
    streaming = rng.random(n) < 0.65
    finish = np.where(output_tokens >= 4096, 1, np.where(rng.random(n) < 0.03, 2, 0))  # stop, length, tool_calls
    return {
        "is_error": is_error,
        "ttft": ttft,
        "latency": latency,
        "error_type": error_type,
        "streaming": streaming,
        "finish": finish,
    }


def _gateway_cost_pico(
    rng: np.random.Generator, table: dict[str, np.ndarray], variant: np.ndarray, tokens: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """(gateway-reported cost in units of 1e-12 USD, whether the call has one): Bedrock/Together calls and ~5 %
    of the others, failed calls never."""
    unique_variants, inverse = np.unique(variant, return_inverse=True)
    price_in = np.array([round(GATEWAY_PRICES[table["canonical"][v]][0] * 1_000_000) for v in unique_variants])
    price_out = np.array([round(GATEWAY_PRICES[table["canonical"][v]][1] * 1_000_000) for v in unique_variants])
    pico = tokens["input_tokens"] * price_in[inverse] + tokens["output_tokens"] * price_out[inverse]
    gateway = np.isin(table["provider"], ["bedrock", "together_ai"])[variant]
    return pico, gateway


def _frame(
    rng: np.random.Generator,
    table: dict[str, np.ndarray],
    workspaces: pl.DataFrame,
    users: pl.DataFrame,
    calls: Calls,
    tokens: dict[str, np.ndarray],
    outcome: dict[str, np.ndarray],
    id_token: str,
) -> pl.DataFrame:
    """The events as the raw contract's columns (long, but one column per line: nothing to split)."""
    variant, n = calls.variant, len(calls.variant)
    is_error = outcome["is_error"]
    pico, gateway = _gateway_cost_pico(rng, table, variant, tokens)
    has_cost = (gateway | (rng.random(n) < 0.05)) & ~is_error
    tagged = rng.random(n) < 0.25
    tag_index = rng.integers(0, len(TAG_SETS), n)
    with_metadata = rng.random(n) < 0.3
    index = np.arange(1, n + 1)
    frame = pl.DataFrame(
        {
            "event_id": ids(f"evt_{id_token}", index, 10),
            "occurred_at": pl.Series(calls.occurred_us).cast(pl.Datetime("us", "UTC")),
            "workspace_id": workspaces["workspace_id"].gather(calls.workspace),
            "user_id": users["user_id"].gather(calls.user),
            "conversation_id": ids(f"conv_{id_token}", calls.conversation, 9),
            "message_id": ids(f"msg_{id_token}", index, 10),
            "provider": pick(table["provider"], variant),
            "model": pick(table["raw_name"], variant),
            "operation": pl.repeat("chat", n, eager=True),
            **tokens,
            "latency_ms": np.round(outcome["latency"], 1),
            "time_to_first_token_ms": pl.Series(np.round(outcome["ttft"], 1)).set(
                pl.Series(~outcome["streaming"]), None
            ),
            "status": pick(np.array(["success", "error"]), is_error.astype(np.int64)),
            "error_type": pick(np.array(ERROR_TYPES), outcome["error_type"]).set(pl.Series(~is_error), None),
            "finish_reason": pick(np.array(["stop", "length", "tool_calls"]), outcome["finish"]).set(
                pl.Series(is_error), None
            ),
            "is_streaming": outcome["streaming"],
            "_pico": pico,
            "_has_cost": has_cost,
            "_tagged": tagged,
            "tags": pl.Series("tags", list(TAG_SETS), dtype=pl.List(pl.String)).gather(tag_index),
            "_with_metadata": with_metadata,
            "_quality": table["quality"][variant],
            "_order": index,
        }
    )
    return _money_tags_metadata(frame)


def _money_tags_metadata(frame: pl.DataFrame) -> pl.DataFrame:
    """Gateway cost as an exact DECIMAL (from its 1e-12 USD units), tags and metadata only where drawn."""
    return frame.with_columns(
        provider_cost_usd=pl.when(pl.col("_has_cost")).then(
            pl.concat_str(
                (pl.col("_pico") // 10**12).cast(pl.String),
                pl.lit("."),
                (pl.col("_pico") % 10**12).cast(pl.String).str.zfill(12),
            ).cast(MONEY_DTYPE)
        ),
        tags=pl.when(pl.col("_tagged")).then(pl.col("tags")),
        metadata=pl.when(pl.col("_with_metadata")).then(
            pl.struct(
                app_version=pl.lit("2.") + (pl.col("_order") % 5).cast(pl.String) + pl.lit(".1"),
                region=pl.when(pl.col("_order") % 3 == 0).then(pl.lit("eu-west-1")).otherwise(pl.lit("us-east-1")),
            )
        ),
    ).drop("_pico", "_has_cost", "_tagged", "_with_metadata")
