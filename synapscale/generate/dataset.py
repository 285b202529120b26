"""The whole data set: draw everything in a fixed order from one seeded generator, then write one file per
month of usage (plus late-landed files), feedback, and the workspace and user snapshots; churners (their own
generator) are removed last, and the churn ground truth is written beside the landing files. A batch
(config.batch >= 1) is a later daily landing of the same data set instead (batch.py; no churn overlay).

A data set of more than PART_EVENTS events is drawn and written in parts, one at a time, so memory stays that of
one part (100M events as one frame need over 24 GiB): the workspaces and users are drawn once; each part is
PART_EVENTS or fewer events over the whole range with a generator and ids of its own (config.part), and writes
its own files (`usage_2025-01_part2.parquet`, `feedback_part2.parquet`). Up to PART_EVENTS events, the one part
is the data set exactly as it always was."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from synapscale.errors import UserError
from synapscale.generate.batch import batch_files
from synapscale.generate.churn import GROUND_TRUTH_FILE, draw_churn, ground_truth, write_ground_truth
from synapscale.generate.config import GeneratorConfig, check
from synapscale.generate.corruption import corrupt_duplicate_late
from synapscale.generate.entities import HIDDEN_WORKSPACE_COLUMNS, users, workspaces
from synapscale.generate.feedback import feedback
from synapscale.generate.usage import usage

PART_EVENTS = 10_000_000  # the most events drawn at once: the generator peaks at 6.4 GiB (20M events in two parts)


def write_dataset(
    config: GeneratorConfig, out_dir: Path, ground_truth_path: Path | None = None, part_events: int = PART_EVENTS
) -> list[Path]:
    """Write the data set (or the batch) into `out_dir` and return the landing files written, in a stable order.
    With a churn rate, or when `ground_truth_path` is given, the churn ground truth is written too (default path:
    out_dir/.ground_truth/churn.csv, which ingest skips); a rate of 0 without a path writes exactly what it
    always did. More than `part_events` events are drawn in parts (see above)."""
    check(config)
    rng = np.random.default_rng(config.seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workspace_frame = workspaces(rng, config)
    user_frame = users(rng, config, workspace_frame)
    ext = config.file_format
    if config.batch:
        files = batch_files(config, workspace_frame, user_frame)
        return sorted(write_frame(frame, out_dir / f"{name}.{ext}") for name, frame in files.items())
    parts = -(-config.events // part_events)
    if parts > 1 and (config.churn_rate > 0 or ground_truth_path is not None):
        raise UserError(
            f"generate: churn is drawn over the whole data set, so at most {part_events:,} events with "
            "--churn-rate or --ground-truth; generate a smaller data set"
        )
    written: list[Path] = []
    for part in range(parts):
        events = config.events // parts + (1 if part < config.events % parts else 0)
        part_rng = rng if part == 0 else np.random.default_rng([config.seed, 0, part])  # batch k: [seed, k]
        suffix = f"_part{part}" if parts > 1 else ""
        part_config = replace(config, events=events, part=part)
        written += _write_part(part_rng, part_config, workspace_frame, user_frame, out_dir, suffix, ground_truth_path)
    written.append(write_frame(workspace_frame.drop(*HIDDEN_WORKSPACE_COLUMNS), out_dir / f"workspaces.{ext}"))
    written.append(write_frame(user_frame, out_dir / f"users.{ext}"))
    return sorted(written)


def _write_part(
    rng: np.random.Generator,
    config: GeneratorConfig,
    workspace_frame: pl.DataFrame,
    user_frame: pl.DataFrame,
    out_dir: Path,
    suffix: str,
    ground_truth_path: Path | None,
) -> list[Path]:
    """The usage and feedback files of one part of the data set (churn only when it is the only part)."""
    ext = config.file_format
    events = usage(rng, config, workspace_frame, user_frame)
    feedback_frame = feedback(rng, events, config.id_token)
    churn = draw_churn(config, workspace_frame, events) if config.churn_rate > 0 else None
    events = corrupt_duplicate_late(rng, config, events)
    if churn is not None:
        events = events.filter(~pl.col("event_id").is_in(churn.dropped_event_ids.implode()))
        feedback_frame = feedback_frame.filter(~pl.col("message_id").is_in(churn.dropped_message_ids.implode()))
    if churn is not None or ground_truth_path is not None:
        truth = ground_truth(config, workspace_frame, churn)
        write_ground_truth(truth, ground_truth_path or out_dir / GROUND_TRUTH_FILE)
    written = [
        write_frame(part.sort("_order").drop("_file", "_order"), out_dir / f"{file_key}{suffix}.{ext}")
        for (file_key,), part in events.group_by("_file")
    ]
    written.append(write_frame(feedback_frame, out_dir / f"feedback{suffix}.{ext}"))
    return written


def write_frame(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.write_parquet(path, compression="zstd", statistics=False)
    else:
        frame.write_ndjson(path)
    return path
