"""What the synthetic data is made of: the model variants (raw spellings of the 12 catalog models plus a few
unknown ones) with their speed, quality and error rate, and the other fixed vocabularies of the generator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np


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


def variant_table() -> dict[str, np.ndarray]:
    """Per-variant facts as arrays indexed by variant number (known variants first, then the unknown ones)."""
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
