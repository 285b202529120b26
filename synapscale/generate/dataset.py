"""The whole data set: draw everything in a fixed order from one seeded generator, then write one file per
month of usage (plus late-landed files), feedback, and the workspace and user snapshots; churners (their own
generator) are removed last, and the churn ground truth is written beside the landing files. A batch
(config.batch >= 1) is a later daily landing of the same data set instead (batch.py; no churn overlay)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from synapscale.generate.batch import batch_files
from synapscale.generate.churn import GROUND_TRUTH_FILE, draw_churn, ground_truth, write_ground_truth
from synapscale.generate.config import GeneratorConfig, check
from synapscale.generate.corruption import corrupt_duplicate_late
from synapscale.generate.entities import HIDDEN_WORKSPACE_COLUMNS, users, workspaces
from synapscale.generate.feedback import feedback
from synapscale.generate.usage import usage


def write_dataset(config: GeneratorConfig, out_dir: Path, ground_truth_path: Path | None = None) -> list[Path]:
    """Write the data set (or the batch) into `out_dir` and return the landing files written, in a stable order.
    With a churn rate, or when `ground_truth_path` is given, the churn ground truth is written too (default path:
    out_dir/.ground_truth/churn.csv, which ingest skips); a rate of 0 without a path writes exactly what it
    always did."""
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
    written: list[Path] = []
    for (file_key,), part in events.group_by("_file"):
        written.append(write_frame(part.sort("_order").drop("_file", "_order"), out_dir / f"{file_key}.{ext}"))
    written.append(write_frame(feedback_frame, out_dir / f"feedback.{ext}"))
    written.append(write_frame(workspace_frame.drop(*HIDDEN_WORKSPACE_COLUMNS), out_dir / f"workspaces.{ext}"))
    written.append(write_frame(user_frame, out_dir / f"users.{ext}"))
    return sorted(written)


def write_frame(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.write_parquet(path, compression="zstd", statistics=False)
    else:
        frame.write_ndjson(path)
    return path
