"""A later daily landing of a data set: what arrives on day `last_day + batch` after the data set of the same
config was loaded (the benchmark's incremental run; a scheduler's next day).

The workspaces and users are the data set's own (drawn first, from the same seed, exactly as write_dataset draws
them), so the batch's calls belong to the same tenants; its events come from a generator of their own (seeded
with seed and batch) and carry ids of their own (config.id_token). `events` of them are new: dated on the
landing day, except `late_rate` of them dated 1-5 days before it (inside the data set's range for batch 1), as
late-arriving calls are. bad_rate and duplicate_rate apply to the batch's records as to any data set's. One
usage file and one feedback file, named after the landing day; no snapshots (the tenants did not change)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import polars as pl

from synapscale.generate.config import GeneratorConfig
from synapscale.generate.corruption import corrupt_duplicate_late
from synapscale.generate.feedback import feedback
from synapscale.generate.usage import usage

LATE_DAYS = 5


def batch_files(
    config: GeneratorConfig, workspace_frame: pl.DataFrame, user_frame: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The batch's files (name without extension -> records)."""
    rng = np.random.default_rng([config.seed, config.batch])
    landing_day = config.last_day + timedelta(days=config.batch)
    # The range runs on to the landing day, so growth and the weekly cycle carry on past the data set's end.
    extended = replace(config, days=config.days + config.batch, end=landing_day)
    weights = np.zeros(extended.days)
    weights[-1] = 1.0 - config.late_rate
    weights[-1 - LATE_DAYS : -1] = config.late_rate / LATE_DAYS
    events = usage(rng, extended, workspace_frame, user_frame, day_weights=weights)
    feedback_frame = feedback(rng, events, config.id_token)
    # Lateness is where the events were placed; the bad and re-sent records are drawn as in any data set.
    events = corrupt_duplicate_late(rng, replace(extended, late_rate=0.0), events)
    return {
        f"feedback_landed_{landing_day}": feedback_frame,
        f"usage_landed_{landing_day}": events.sort("_order").drop("_file", "_order"),
    }
