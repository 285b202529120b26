"""Deterministic synthetic landing data that looks like a real LLM SaaS (see docs/ingest.md, "Generator").

Everything is drawn from one numpy Generator seeded with `config.seed`, in a fixed order, with vectorised
numpy and polars operations (no loop over events), so the same config writes byte-identical files.

Shape of the data: workspaces of Zipf-like sizes, each with its own growth, start day and (for a few) a
decline; weekly and daily cycles (the daily cycle follows the workspace's timezone); a per-workspace model mix
over the 12 catalog models in several raw spellings (provider prefixes, Bedrock ids) plus ~0.5 % unknown
models; log-normal token counts; cache reads/writes only on caching models; latency and time-to-first-token
growing with output and differing per model; 1–3 % errors; gateway-reported cost on some calls; multi-message
conversations; tags; feedback on a few percent of messages with per-model quality and some re-sent versions;
workspace and user snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from ingest.errors import UserError

DEFAULT_END = date(2025, 3, 31)
MONEY_DTYPE = pl.Decimal(38, 18)


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. The default range (240 days to 2025-03-31) spans the Oct 2024, Dec 2024 and Feb 2025
    price changes (gpt-4o, gemini-1.5-pro, deepseek-chat)."""

    events: int = 200_000
    days: int = 240
    workspaces: int = 24
    users: int = 360
    seed: int = 42
    end: date | None = None
    bad_rate: float = 0.0
    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    file_format: Literal["parquet", "jsonl"] = "parquet"

    @property
    def last_day(self) -> date:
        return self.end or DEFAULT_END

    @property
    def first_day(self) -> date:
        return self.last_day - timedelta(days=self.days - 1)


@dataclass(frozen=True)
class ModelVariant:
    """One raw spelling of a model as a provider or gateway reports it."""

    canonical: str
    provider: str
    raw_name: str
    popularity: float
    caching: Literal["none", "openai", "anthropic", "deepseek"]
    ttft_ms: float  # median time to first token
    tokens_per_second: float
    quality: float  # probability of a thumbs-up
    error_rate: float
    released: date
    reasoning: bool = False


_OPENAI = "openai"
VARIANTS: tuple[ModelVariant, ...] = (
    ModelVariant("gpt-4o", _OPENAI, "gpt-4o", 10, "openai", 420, 85, 0.86, 0.015, date(2024, 5, 13)),
    ModelVariant("gpt-4o", _OPENAI, "gpt-4o-2024-08-06", 5, "openai", 420, 85, 0.86, 0.015, date(2024, 8, 6)),
    ModelVariant("gpt-4o", _OPENAI, "openai/gpt-4o", 1.5, "openai", 450, 80, 0.86, 0.015, date(2024, 5, 13)),
    ModelVariant("gpt-4o-mini", _OPENAI, "gpt-4o-mini", 14, "openai", 300, 110, 0.78, 0.012, date(2024, 7, 18)),
    ModelVariant("gpt-4o-mini", _OPENAI, "openai/gpt-4o-mini", 3, "openai", 320, 105, 0.78, 0.012, date(2024, 7, 18)),
    ModelVariant("gpt-4-turbo", _OPENAI, "gpt-4-turbo", 3, "none", 700, 35, 0.83, 0.02, date(2024, 4, 9)),
    ModelVariant("gpt-3.5-turbo", _OPENAI, "gpt-3.5-turbo", 4, "none", 250, 120, 0.66, 0.01, date(2024, 1, 25)),
    ModelVariant(
        "claude-3-opus",
        "anthropic",
        "claude-3-opus-20240229",
        3,
        "anthropic",
        1400,
        28,
        0.89,
        0.025,
        date(2024, 3, 4),
    ),
    ModelVariant(
        "claude-3-opus",
        "bedrock",
        "us.anthropic.claude-3-opus-20240229-v1:0",
        1,
        "none",
        1500,
        26,
        0.89,
        0.028,
        date(2024, 3, 4),
    ),
    ModelVariant(
        "claude-3-sonnet",
        "anthropic",
        "claude-3-sonnet-20240229",
        4,
        "none",
        800,
        60,
        0.84,
        0.02,
        date(2024, 3, 4),
    ),
    ModelVariant(
        "claude-3-haiku",
        "anthropic",
        "claude-3-haiku-20240307",
        7,
        "anthropic",
        350,
        120,
        0.74,
        0.015,
        date(2024, 3, 13),
    ),
    ModelVariant(
        "claude-3-haiku",
        "bedrock",
        "anthropic.claude-3-haiku-20240307-v1:0",
        2,
        "none",
        380,
        110,
        0.74,
        0.018,
        date(2024, 3, 13),
    ),
    ModelVariant("gemini-1.5-pro", "google", "gemini-1.5-pro", 5, "none", 900, 60, 0.82, 0.02, date(2024, 5, 30)),
    ModelVariant("gemini-1.5-flash", "google", "gemini-1.5-flash", 7, "none", 280, 160, 0.72, 0.015, date(2024, 5, 30)),
    ModelVariant("grok-2", "xai", "grok-2", 2, "none", 600, 70, 0.77, 0.03, date(2024, 12, 12)),
    ModelVariant("deepseek-chat", "deepseek", "deepseek-chat", 5, "deepseek", 900, 45, 0.8, 0.03, date(2024, 12, 26)),
    ModelVariant(
        "llama-3.1-405b",
        "together_ai",
        "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo",
        2,
        "none",
        650,
        55,
        0.79,
        0.025,
        date(2024, 7, 23),
    ),
)
# Not in the catalog: ~0.5 % of calls; the only reasoning tokens come from o1-mini.
UNKNOWN_VARIANTS: tuple[ModelVariant, ...] = (
    ModelVariant("o1-mini", _OPENAI, "o1-mini", 1, "none", 2500, 90, 0.85, 0.02, date(2024, 9, 12), reasoning=True),
    ModelVariant("mistral-large", "mistral", "mistral-large-latest", 1, "none", 500, 60, 0.78, 0.02, date(2024, 2, 26)),
    ModelVariant("acme-ft", _OPENAI, "ft:gpt-4o-mini:acme::9xQ2", 1, "none", 320, 100, 0.8, 0.02, date(2024, 7, 18)),
)
UNKNOWN_SHARE = 0.005
CACHING_KINDS = ("anthropic", "deepseek", "none", "openai")  # sorted: searchsorted maps names to codes
FALLBACK_RAW_NAME = "gpt-4o-mini"  # used before a model's release date

# Approximate USD per 1M tokens (input, output) for gateway-reported cost on some calls.
GATEWAY_PRICES = {
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4-turbo": (10.0, 30.0),
    "gpt-3.5-turbo": (0.5, 1.5),
    "claude-3-opus": (15.0, 75.0),
    "claude-3-sonnet": (3.0, 15.0),
    "claude-3-haiku": (0.25, 1.25),
    "gemini-1.5-pro": (1.25, 5.0),
    "gemini-1.5-flash": (0.075, 0.3),
    "grok-2": (2.0, 10.0),
    "deepseek-chat": (0.27, 1.1),
    "llama-3.1-405b": (3.5, 3.5),
    "o1-mini": (3.0, 12.0),
    "mistral-large": (2.0, 6.0),
    "acme-ft": (0.3, 1.2),
}

TIMEZONES = (
    ("America/Sao_Paulo", -3),
    ("America/New_York", -5),
    ("Europe/Berlin", 1),
    ("Europe/London", 0),
    ("UTC", 0),
    ("Asia/Tokyo", 9),
    ("Asia/Kolkata", 5),
    ("America/Los_Angeles", -8),
    ("Australia/Sydney", 11),
)
NAME_PARTS = (
    "Acme",
    "Nimbus",
    "Orbital",
    "Quanta",
    "Verdant",
    "Lumen",
    "Helix",
    "Cobalt",
    "Aurora",
    "Pioneer",
    "Atlas",
    "Zephyr",
    "Kestrel",
    "Mosaic",
    "Juniper",
    "Tandem",
    "Beacon",
    "Solstice",
    "Meridian",
    "Harbor",
    "Vertex",
    "Cascade",
    "Ember",
    "Onyx",
)
NAME_SUFFIXES = ("Labs", "Health", "Legal", "Retail", "Bank", "Studio", "Logistics", "Edu", "Games", "Media")
PLANS = ("enterprise", "business", "team", "starter")
PLAN_BUDGETS = (25_000, 5_000, 1_000, 200)
TAG_SETS: tuple[list[str], ...] = (
    ["prod"],
    ["prod", "rag"],
    ["prod", "agent"],
    ["staging"],
    ["batch", "summarize"],
    ["support-bot"],
    ["prod", "code-review"],
    ["eval"],
)
ERROR_TYPES = ("rate_limit_error", "timeout", "server_error", "context_length_exceeded")
FEEDBACK_CATEGORIES = ("helpful", "incorrect", "too_long", "off_topic", "unsafe")
FEEDBACK_COMMENTS = (
    None,
    None,
    None,
    "Great answer, thanks",
    "Wrong figure in the second paragraph",
    "Too verbose",
    "Did not follow the format I asked for",
)
DAILY_CYCLE = np.array(
    [
        0.15,
        0.1,
        0.08,
        0.07,
        0.08,
        0.12,
        0.25,
        0.45,
        0.75,
        0.95,
        1.0,
        1.0,
        0.9,
        0.95,
        1.0,
        0.98,
        0.9,
        0.75,
        0.55,
    ]
    + [0.42, 0.35, 0.3, 0.25, 0.2]
)


def write_dataset(config: GeneratorConfig, out_dir: Path) -> list[Path]:
    """Write the data set into `out_dir` and return the files written, in a stable order."""
    _check(config)
    rng = np.random.default_rng(config.seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workspaces = _workspaces(rng, config)
    users = _users(rng, config, workspaces)
    usage = _usage(rng, config, workspaces, users)
    feedback = _feedback(rng, usage)
    usage = _corrupt_duplicate_late(rng, config, usage)
    written: list[Path] = []
    ext = config.file_format
    for (file_key,), part in usage.group_by("_file"):
        written.append(_write(part.sort("_order").drop("_file", "_order"), out_dir / f"{file_key}.{ext}"))
    written.append(_write(feedback, out_dir / f"feedback.{ext}"))
    snapshots = workspaces.drop("_weight", "_growth", "_start", "_decline", "_utc_offset")
    written.append(_write(snapshots, out_dir / f"workspaces.{ext}"))
    written.append(_write(users, out_dir / f"users.{ext}"))
    return sorted(written)


def _check(config: GeneratorConfig) -> None:
    if config.events <= 0 or config.days <= 0 or config.workspaces <= 0:
        raise UserError("generate: --events, --days and --workspaces must be greater than 0")
    if config.users < config.workspaces:
        raise UserError(f"generate: --users ({config.users}) must be at least --workspaces ({config.workspaces})")
    for name in ("bad_rate", "duplicate_rate", "late_rate"):
        if not 0.0 <= getattr(config, name) < 1.0:
            raise UserError(f"generate: {name} must be in [0, 1)")
    if config.file_format not in ("parquet", "jsonl"):
        raise UserError(f"generate: unknown format {config.file_format!r}; use parquet or jsonl")


def _write(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.write_parquet(path, compression="zstd", statistics=False)
    else:
        frame.write_ndjson(path)
    return path


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _workspaces(rng: np.random.Generator, config: GeneratorConfig) -> pl.DataFrame:
    count = config.workspaces
    ranks = rng.permutation(count) + 1
    weight = 1.0 / ranks**1.15  # Zipf-like sizes
    size_rank = np.argsort(np.argsort(-weight)) / count  # 0 = largest workspace
    plan_index = np.searchsorted(np.array([0.1, 0.3, 0.6]), size_rank, side="right")
    tz_index = rng.integers(0, len(TIMEZONES), count)
    tz_index[: min(count, 2)] = 0  # the two first workspaces are in São Paulo
    start_offset = np.where(rng.random(count) < 0.25, rng.integers(0, max(1, config.days // 2), count), 0)
    names = [f"{NAME_PARTS[i % len(NAME_PARTS)]} {NAME_SUFFIXES[(i * 7) % len(NAME_SUFFIXES)]}" for i in range(count)]
    created = np.datetime64(config.first_day.isoformat(), "us") + (
        (start_offset.astype(np.int64) * 86_400 - rng.integers(86_400, 400 * 86_400, count)) * 1_000_000
    ).astype("timedelta64[us]")
    return pl.DataFrame(
        {
            "workspace_id": [f"ws_{i + 1:04d}" for i in range(count)],
            "name": names,
            "plan": np.array(PLANS)[plan_index],
            "monthly_budget_usd": pl.Series(np.array(PLAN_BUDGETS)[plan_index].astype(str)).cast(pl.Decimal(18, 2)),
            "timezone": np.array([tz for tz, _ in TIMEZONES])[tz_index],
            "created_at": pl.Series(created).dt.replace_time_zone("UTC"),
            "_weight": weight,
            "_growth": rng.normal(0.004, 0.004, count),  # per day
            "_start": start_offset,
            "_decline": rng.random(count) < 0.12,  # a few workspaces fade out (churn signal)
            "_utc_offset": np.array([offset for _, offset in TIMEZONES])[tz_index],
        }
    )


def _users(rng: np.random.Generator, config: GeneratorConfig, workspaces: pl.DataFrame) -> pl.DataFrame:
    weight = workspaces["_weight"].to_numpy() ** 0.7
    extra = rng.multinomial(config.users - config.workspaces, weight / weight.sum())
    per_workspace = extra + 1
    workspace_of_user = np.repeat(np.arange(config.workspaces), per_workspace)
    created = workspaces["created_at"].to_numpy()[workspace_of_user] + (
        rng.integers(0, 200 * 86_400, config.users) * 1_000_000
    ).astype("timedelta64[us]")
    first = (
        "Ana",
        "Bruno",
        "Chen",
        "Divya",
        "Emma",
        "Felipe",
        "Grace",
        "Hiro",
        "Ines",
        "Jonas",
        "Kofi",
        "Lena",
    )
    last = ("Silva", "Smith", "Müller", "Tanaka", "Costa", "Okafor", "Novak", "Singh", "Rossi", "Kim")
    index = np.arange(config.users)
    return pl.DataFrame(
        {
            "user_id": _ids("usr_", index + 1, 5),
            "workspace_id": workspaces["workspace_id"].gather(workspace_of_user),
            "display_name": pl.Series(
                np.char.add(
                    np.char.add(np.array(first)[index % len(first)], " "),
                    np.array(last)[(index * 7) % len(last)],
                )
            ),
            "created_at": pl.Series(created).dt.replace_time_zone("UTC"),
        }
    )


def _variant_table() -> dict[str, np.ndarray]:
    variants = VARIANTS + UNKNOWN_VARIANTS
    fields = (
        "canonical",
        "provider",
        "raw_name",
        "caching",
        "ttft_ms",
        "tokens_per_second",
        "quality",
        "error_rate",
    )
    table = {name: np.array([getattr(v, name) for v in variants]) for name in fields}
    table["released_day"] = np.array([(v.released - date(1970, 1, 1)).days for v in variants])
    table["reasoning"] = np.array([v.reasoning for v in variants])
    return table


def _sample_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each i, a column index drawn from the distribution weights[rows[i]] (vectorised: the per-row CDFs
    are
    laid end to end, row r shifted by r, and one searchsorted finds every draw)."""
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    cdf[:, -1] = 1.0
    shifted = (cdf + np.arange(weights.shape[0])[:, None]).ravel()
    flat = np.searchsorted(shifted, rows + rng.random(len(rows)) * (1 - 1e-12), side="right")
    return np.minimum(flat - rows * weights.shape[1], weights.shape[1] - 1)


def _pick(values: np.ndarray, index: np.ndarray) -> pl.Series:
    """values[index] as a polars string column, gathered from the few distinct values (fast)."""
    return pl.Series(values.tolist(), dtype=pl.String).gather(index)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    return pl.select(pl.lit(prefix) + pl.Series(numbers).cast(pl.String).str.zfill(width)).to_series()


def _usage(
    rng: np.random.Generator, config: GeneratorConfig, workspaces: pl.DataFrame, users: pl.DataFrame
) -> pl.DataFrame:
    n, days, count = config.events, config.days, config.workspaces
    t = np.arange(days)
    first_epoch_day = (config.first_day - date(1970, 1, 1)).days
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
    cells = workspaces["_weight"].to_numpy()[:, None] * growth * weekly[None, :] * active * decline * noise
    # Conversations first (geometric length, mean ~3.3 messages), then their messages a minute or two apart.
    lengths = rng.geometric(0.3, size=n)
    conversations = int(np.searchsorted(np.cumsum(lengths), n)) + 1
    lengths = lengths[:conversations]
    lengths[-1] -= int(lengths.sum()) - n
    cell = rng.choice(count * days, size=conversations, p=(cells / cells.sum()).ravel())
    conv_workspace, conv_day = cell // days, cell % days
    # Daily cycle in each workspace's local time, expressed as UTC hours.
    offsets = workspaces["_utc_offset"].to_numpy()
    hour_weights = DAILY_CYCLE[(np.arange(24)[None, :] + offsets[:, None]) % 24]
    conv_hour = _sample_rows(rng, hour_weights, conv_workspace)
    conv_start = (
        (first_epoch_day + conv_day).astype(np.int64) * 86_400_000_000
        + conv_hour.astype(np.int64) * 3_600_000_000
        + rng.integers(0, 3_600_000_000, conversations)
    )
    # Users: a few heavy users per workspace (power law over the workspace's users).
    users_per_workspace = np.bincount(users["workspace_id"].str.slice(3).cast(pl.Int64).to_numpy() - 1, minlength=count)
    first_user = np.concatenate([[0], np.cumsum(users_per_workspace)[:-1]])
    conv_user = first_user[conv_workspace] + (
        users_per_workspace[conv_workspace] * rng.random(conversations) ** 2.2
    ).astype(np.int64)
    # Model: a per-workspace mix over the catalog variants; a conversation mostly stays on one model.
    table = _variant_table()
    known = len(VARIANTS)
    popularity = np.array([v.popularity for v in VARIANTS])
    mix = rng.dirichlet(popularity / popularity.sum() * 4.0, size=count)
    conv_variant = _sample_rows(rng, mix, conv_workspace)
    conversation = np.repeat(np.arange(conversations), lengths)
    gaps = rng.exponential(90_000_000, n).astype(np.int64)
    cumulative = np.cumsum(gaps)
    first_message = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    occurred_us = conv_start[conversation] + cumulative - cumulative[first_message][conversation]
    workspace = conv_workspace[conversation]
    user = conv_user[conversation]
    switched = rng.random(n) < 0.1
    variant = np.where(switched, _sample_rows(rng, mix, workspace), conv_variant[conversation])
    order = np.argsort(occurred_us, kind="stable")
    workspace, user, variant, conversation, occurred_us = (
        workspace[order],
        user[order],
        variant[order],
        conversation[order],
        occurred_us[order],
    )
    last_us = ((config.last_day - date(1970, 1, 1)).days + 1) * 86_400_000_000 - 1
    occurred_us = np.minimum(occurred_us, last_us)  # a conversation never runs past the last day
    day = occurred_us // 86_400_000_000 - first_epoch_day
    unknown = rng.random(n) < UNKNOWN_SHARE
    variant = np.where(unknown, known + rng.integers(0, len(UNKNOWN_VARIANTS), n), variant)
    fallback = [v.raw_name for v in VARIANTS].index(FALLBACK_RAW_NAME)
    variant = np.where(first_epoch_day + day < table["released_day"][variant], fallback, variant)
    # Tokens (inclusive totals), log-normal; prompt size depends on the workspace's use case.
    prompt_shift = rng.normal(0.0, 0.45, count)[workspace]
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
    # Errors, latency and time to first token.
    is_error = rng.random(n) < table["error_rate"][variant]
    output_tokens = np.where(is_error, 0, output_tokens)
    reasoning = np.where(is_error, 0, reasoning)
    ttft = table["ttft_ms"][variant] * rng.lognormal(0.0, 0.35, n) * (1 + input_tokens / 60_000)
    generation = output_tokens / (table["tokens_per_second"][variant] * rng.lognormal(0.0, 0.2, n)) * 1000
    latency = np.where(is_error, ttft * rng.uniform(0.5, 3.0, n), ttft + generation)
    error_type = rng.integers(0, len(ERROR_TYPES), n)
    latency = np.where(is_error & (error_type == ERROR_TYPES.index("timeout")), 60_000.0, latency)
    streaming = rng.random(n) < 0.65
    finish = np.where(output_tokens >= 4096, 1, np.where(rng.random(n) < 0.03, 2, 0))  # stop, length, tool_calls
    # Gateway-reported cost on Bedrock/Together calls and ~5 % of the others, exact in units of 1e-12 USD.
    unique_variants, inverse = np.unique(variant, return_inverse=True)
    price_in = np.array([round(GATEWAY_PRICES[table["canonical"][v]][0] * 1_000_000) for v in unique_variants])
    price_out = np.array([round(GATEWAY_PRICES[table["canonical"][v]][1] * 1_000_000) for v in unique_variants])
    pico = input_tokens * price_in[inverse] + output_tokens * price_out[inverse]
    gateway = np.isin(table["provider"], ["bedrock", "together_ai"])[variant]
    has_cost = (gateway | (rng.random(n) < 0.05)) & ~is_error
    tagged = rng.random(n) < 0.25
    tag_index = rng.integers(0, len(TAG_SETS), n)
    with_metadata = rng.random(n) < 0.3
    index = np.arange(1, n + 1)
    frame = pl.DataFrame(
        {
            "event_id": _ids("evt_", index, 10),
            "occurred_at": pl.Series(occurred_us).cast(pl.Datetime("us", "UTC")),
            "workspace_id": workspaces["workspace_id"].gather(workspace),
            "user_id": users["user_id"].gather(user),
            "conversation_id": _ids("conv_", conversation, 9),
            "message_id": _ids("msg_", index, 10),
            "provider": _pick(table["provider"], variant),
            "model": _pick(table["raw_name"], variant),
            "operation": pl.repeat("chat", n, eager=True),
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
            "reasoning_output_tokens": reasoning,
            "latency_ms": np.round(latency, 1),
            "time_to_first_token_ms": pl.Series(np.round(ttft, 1)).set(pl.Series(~streaming), None),
            "status": _pick(np.array(["success", "error"]), is_error.astype(np.int64)),
            "error_type": _pick(np.array(ERROR_TYPES), error_type).set(pl.Series(~is_error), None),
            "finish_reason": _pick(np.array(["stop", "length", "tool_calls"]), finish).set(pl.Series(is_error), None),
            "is_streaming": streaming,
            "_pico": pico,
            "_has_cost": has_cost,
            "_tagged": tagged,
            "tags": pl.Series("tags", list(TAG_SETS), dtype=pl.List(pl.String)).gather(tag_index),
            "_with_metadata": with_metadata,
            "_quality": table["quality"][variant],
            "_order": index,
        }
    )
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


def _feedback(rng: np.random.Generator, usage: pl.DataFrame) -> pl.DataFrame:
    n = usage.height
    chosen = np.flatnonzero((usage["status"].to_numpy() == "success") & (rng.random(n) < 0.04))
    picked = usage[chosen]
    count = len(chosen)
    quality = picked["_quality"].to_numpy()
    kind = np.array(["thumbs", "rating", "category"])[rng.choice(3, count, p=[0.6, 0.3, 0.1])]
    thumbs = np.where(rng.random(count) < quality, "up", "down")
    rating = np.clip(np.round(1 + 4 * quality + rng.normal(0, 0.9, count)), 1, 5).astype(np.int64).astype(str)
    negative = np.array(FEEDBACK_CATEGORIES[1:])[rng.integers(0, len(FEEDBACK_CATEGORIES) - 1, count)]
    category = np.where(rng.random(count) < quality, "helpful", negative)
    value = np.where(kind == "thumbs", thumbs, np.where(kind == "rating", rating, category))
    delay_us = (picked["latency_ms"].to_numpy() * 1000 + rng.lognormal(np.log(60), 1.2, count) * 1_000_000).astype(
        np.int64
    )
    created = picked["occurred_at"].cast(pl.Int64).to_numpy() + delay_us
    comment_index = rng.integers(0, len(FEEDBACK_COMMENTS), count)
    source = np.array(["user", "annotation", "eval"])[rng.choice(3, count, p=[0.9, 0.07, 0.03])]
    frame = pl.DataFrame(
        {
            "feedback_id": _ids("fb_", np.arange(1, count + 1), 9),
            "message_id": picked["message_id"],
            "user_id": picked["user_id"],
            "created_at": created,
            "kind": kind,
            "value": value,
            "comment": pl.Series(list(FEEDBACK_COMMENTS), dtype=pl.String).gather(comment_index),
            "source": source,
        }
    )
    # A few re-sent versions: same feedback_id, later, changed value (latest created_at wins downstream).
    resent = np.flatnonzero(rng.random(count) < 0.03)
    later = rng.integers(60, 2 * 86_400, len(resent)) * 1_000_000
    versions = frame[resent].with_columns(
        created_at=pl.col("created_at") + pl.Series(later),
        value=pl.when(pl.col("kind") == "thumbs")
        .then(pl.when(pl.col("value") == "up").then(pl.lit("down")).otherwise(pl.lit("up")))
        .when(pl.col("kind") == "rating")
        .then((6 - pl.col("value").cast(pl.Int64)).clip(1, 5).cast(pl.String))
        .otherwise(pl.col("value")),
    )
    return (
        pl.concat([frame, versions])
        .with_columns(created_at=pl.col("created_at").cast(pl.Datetime("us", "UTC")))
        .sort("created_at", "feedback_id")
    )


def _corrupt_duplicate_late(rng: np.random.Generator, config: GeneratorConfig, usage: pl.DataFrame) -> pl.DataFrame:
    """Add the `_file` each record lands in; apply the bad, duplicate and late rates."""
    n = usage.height
    usage = usage.drop("_quality").with_columns(
        _file=pl.lit("usage_") + pl.col("occurred_at").dt.strftime("%Y-%m"),
        _day=pl.col("occurred_at").dt.date(),
        _bad=False,
    )
    if config.bad_rate > 0:
        bad = rng.choice(n, int(round(n * config.bad_rate)), replace=False)
        kind = np.full(n, -1)
        kind[bad] = np.arange(len(bad)) % 6
        k = pl.Series(kind)
        usage = usage.with_columns(
            _bad=k >= 0,
            input_tokens=pl.when(k == 0).then(-pl.col("input_tokens")).otherwise(pl.col("input_tokens")),
            cache_read_input_tokens=pl.when(k == 1)
            .then(pl.col("input_tokens") + 10)
            .otherwise(pl.col("cache_read_input_tokens")),
            workspace_id=pl.when(k == 2).then(None).otherwise(pl.col("workspace_id")),
            occurred_at=pl.when(k == 3).then(pl.lit(datetime(1900, 1, 1, tzinfo=UTC))).otherwise(pl.col("occurred_at")),
            reasoning_output_tokens=pl.when(k == 4)
            .then(pl.col("output_tokens") + 5)
            .otherwise(pl.col("reasoning_output_tokens")),
            status=pl.when(k == 5).then(pl.lit("weird")).otherwise(pl.col("status")),
        )
    if config.late_rate > 0:
        late = np.zeros(n, dtype=bool)
        late[rng.choice(n, int(round(n * config.late_rate)), replace=False)] = True
        delay_days = pl.Series(rng.integers(1, 6, n))
        usage = usage.with_columns(
            _late=pl.Series(late),
            _file=pl.when(pl.Series(late))
            .then(pl.lit("usage_late_landed_") + (pl.col("_day") + pl.duration(days=delay_days)).cast(pl.String))
            .otherwise(pl.col("_file")),
        ).drop("_late")
    if config.duplicate_rate > 0:
        copies = rng.choice(n, int(round(n * config.duplicate_rate)), replace=True)
        shift = pl.Series(rng.integers(0, 20, len(copies)))
        base = usage.filter(~pl.col("_bad")).sort("_order")  # re-sent records are good ones: exact counts
        resent = base.gather(copies % base.height).with_columns(
            _file=pl.lit("usage_") + (pl.col("_day") + pl.duration(days=shift)).dt.strftime("%Y-%m"),
            _order=pl.col("_order") + n,
        )
        usage = pl.concat([usage, resent])
    return usage.drop("_day", "_bad")
