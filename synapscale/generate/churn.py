"""Workspaces that churn, and the ground truth of which ones do.

`--churn-rate R` makes round(R x workspaces) workspaces (among those that do not already fade out) decline and
then fall silent: their calls thin out linearly over 2-6 weeks (keep probability 1 -> 0.1), then stop for the
last 2-5 weeks of the data. It is an overlay: it draws from its own generator (seeded from the seed with a
spawn key of its own, never from the main stream) and only removes those workspaces' calls, their feedback
and their re-sent or corrupted copies, after everything else is drawn. So with a rate of 0 nothing changes, byte
for byte, and with a rate above 0 every record of every other workspace is the same as at rate 0 (the
duplicate and bad counts of the churners' records go with them).

The ground truth lists every workspace: `is_churner` is true for the churners added here (`churn_pattern`
`silent`) and for the workspaces the base generator already fades out at the end (`fading`; their activity
decays by ~6 % a day over the last 30 % of the days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from synapscale.generate.config import GeneratorConfig

CHURN_STREAM = 0xC4  # spawn key of the churn generator: a stream of its own, independent of the main one
US_PER_DAY = 86_400_000_000
GROUND_TRUTH_FILE = Path(".ground_truth") / "churn.csv"  # hidden: ingest skips it


@dataclass(frozen=True)
class Churn:
    """The churners (index into the workspace frame), their decline and silence start days (day numbers from the
    first day), and the calls (event ids, message ids) they no longer make."""

    workspaces: np.ndarray
    decline_from_day: np.ndarray
    silent_from_day: np.ndarray
    dropped_event_ids: pl.Series
    dropped_message_ids: pl.Series


def churn_generator(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(CHURN_STREAM,)))


def draw_churn(config: GeneratorConfig, workspaces: pl.DataFrame, events: pl.DataFrame) -> Churn:
    """Pick the churners and the calls they no longer make (events: the clean usage frame, before corruption)."""
    rng = churn_generator(config.seed)
    eligible = np.flatnonzero(~workspaces["_decline"].to_numpy())
    count = min(len(eligible), int(round(config.churn_rate * config.workspaces)))
    chosen = np.sort(rng.choice(eligible, size=count, replace=False))
    silent_days = rng.integers(14, 36, count)
    decline_days = rng.integers(14, 43, count)
    silent_from = np.maximum(config.days - silent_days, 1)
    decline_from = np.maximum(silent_from - decline_days, 0)

    workspace_index = events["workspace_id"].str.slice(3).cast(pl.Int64).to_numpy() - 1
    first_us = (config.first_day - date(1970, 1, 1)).days * US_PER_DAY
    day = (events["occurred_at"].cast(pl.Int64).to_numpy() - first_us) // US_PER_DAY
    slot = np.full(config.workspaces, -1)
    slot[chosen] = np.arange(count)
    churner = slot[workspace_index]
    keep_draw = rng.random(events.height)
    is_churner = churner >= 0
    start = np.where(is_churner, decline_from[churner], 0)
    stop = np.where(is_churner, silent_from[churner], 1)
    progress = np.clip((day - start) / np.maximum(stop - start, 1), 0.0, 1.0)
    keep_probability = np.where(day >= stop, 0.0, 1.0 - 0.9 * progress)
    dropped = is_churner & (keep_draw >= keep_probability)
    mask = pl.Series(dropped)
    return Churn(chosen, decline_from, silent_from, events["event_id"].filter(mask), events["message_id"].filter(mask))


def ground_truth(config: GeneratorConfig, workspaces: pl.DataFrame, churn: Churn | None) -> pl.DataFrame:
    """workspace_id, is_churner, churn_pattern (silent / fading / ''), decline_from and silent_from (silent only)."""
    count = workspaces.height
    pattern = np.where(workspaces["_decline"].to_numpy(), "fading", "").astype("<U6")
    decline_from: list[date | None] = [None] * count
    silent_from: list[date | None] = [None] * count
    if churn is None:
        churn = Churn(np.array([], dtype=np.int64), np.array([]), np.array([]), pl.Series([]), pl.Series([]))
    pattern[churn.workspaces] = "silent"
    for index, decline, silent in zip(churn.workspaces, churn.decline_from_day, churn.silent_from_day, strict=True):
        decline_from[index] = config.first_day + timedelta(days=int(decline))
        silent_from[index] = config.first_day + timedelta(days=int(silent))
    return pl.DataFrame(
        {
            "workspace_id": workspaces["workspace_id"],
            "is_churner": pattern != "",
            "churn_pattern": pattern,
            "decline_from": pl.Series(decline_from, dtype=pl.Date),
            "silent_from": pl.Series(silent_from, dtype=pl.Date),
        }
    )


def write_ground_truth(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path
