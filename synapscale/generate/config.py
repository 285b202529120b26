"""What to generate, and the checks on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from synapscale.errors import UserError

DEFAULT_END = date(2025, 3, 31)


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
    churn_rate: float = 0.0  # share of workspaces that decline then fall silent (generate/churn.py)
    file_format: Literal["parquet", "jsonl"] = "parquet"

    @property
    def last_day(self) -> date:
        return self.end or DEFAULT_END

    @property
    def first_day(self) -> date:
        return self.last_day - timedelta(days=self.days - 1)


def check(config: GeneratorConfig) -> None:
    if config.events <= 0 or config.days <= 0 or config.workspaces <= 0:
        raise UserError("generate: --events, --days and --workspaces must be greater than 0")
    if config.users < config.workspaces:
        raise UserError(f"generate: --users ({config.users}) must be at least --workspaces ({config.workspaces})")
    for name in ("bad_rate", "duplicate_rate", "late_rate", "churn_rate"):
        if not 0.0 <= getattr(config, name) < 1.0:
            raise UserError(f"generate: {name} must be in [0, 1)")
    if config.file_format not in ("parquet", "jsonl"):
        raise UserError(f"generate: unknown format {config.file_format!r}; use parquet or jsonl")
