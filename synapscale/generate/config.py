"""What to generate, and the checks on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from synapscale.errors import UserError

DEFAULT_END = date(2025, 3, 31)
# The default demo data set was published with unprefixed ids (`evt_0000000001`); it keeps them, byte for byte.
DEFAULT_SEED = 42


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. The default range (240 days to 2025-03-31) spans the Oct 2024, Dec 2024 and Feb 2025
    price changes (gpt-4o, gemini-1.5-pro, deepseek-chat)."""

    events: int = 200_000
    days: int = 240
    workspaces: int = 24
    users: int = 360
    seed: int = DEFAULT_SEED
    end: date | None = None
    bad_rate: float = 0.0
    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    churn_rate: float = 0.0  # share of workspaces that decline then fall silent (generate/churn.py)
    file_format: Literal["parquet", "jsonl"] = "parquet"
    # 0: the data set itself. k >= 1: the k-th daily landing after it (see batch.py): `events` new events dated on
    # day last_day + k (late_rate of them dated 1-5 days earlier), by the same workspaces and users.
    batch: int = 0
    # Which part of a data set drawn in parts (dataset.py, PART_EVENTS): part 0 is the only one of a data set of
    # up to PART_EVENTS events; every part has a generator and ids of its own.
    part: int = 0

    @property
    def last_day(self) -> date:
        return self.end or DEFAULT_END

    @property
    def id_token(self) -> str:
        """What the event, message, conversation and feedback ids of this data set start with after their prefix
        (`evt_s7_0000000001`), so data sets of different seeds or batches, and the parts of one, never share an
        id. Empty for the default data set (seed 42, batch 0, part 0), which keeps the ids it was published with.
        Workspace and user ids carry no token: they name the same workspaces and users in every data set."""
        if self.seed == DEFAULT_SEED and self.batch == 0 and self.part == 0:
            return ""
        return f"s{self.seed}" + (f"b{self.batch}" if self.batch else "") + (f"p{self.part}" if self.part else "") + "_"

    @property
    def first_day(self) -> date:
        return self.last_day - timedelta(days=self.days - 1)


def check(config: GeneratorConfig) -> None:
    if config.events <= 0 or config.days <= 0 or config.workspaces <= 0:
        raise UserError("generate: --events, --days and --workspaces must be greater than 0")
    if config.seed < 0 or config.batch < 0:
        raise UserError("generate: --seed and --batch must be 0 or greater")
    if config.users < config.workspaces:
        raise UserError(f"generate: --users ({config.users}) must be at least --workspaces ({config.workspaces})")
    for name in ("bad_rate", "duplicate_rate", "late_rate", "churn_rate"):
        if not 0.0 <= getattr(config, name) < 1.0:
            raise UserError(f"generate: {name} must be in [0, 1)")
    if config.file_format not in ("parquet", "jsonl"):
        raise UserError(f"generate: unknown format {config.file_format!r}; use parquet or jsonl")
