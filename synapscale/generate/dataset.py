"""The whole data set: draw everything in a fixed order from one seeded generator, then write one file per
month of usage (plus late-landed files), feedback, and the workspace and user snapshots. A batch (config.batch
>= 1) is a later daily landing of the same data set instead (batch.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from synapscale.generate.batch import batch_files
from synapscale.generate.config import GeneratorConfig, check
from synapscale.generate.corruption import corrupt_duplicate_late
from synapscale.generate.entities import HIDDEN_WORKSPACE_COLUMNS, users, workspaces
from synapscale.generate.feedback import feedback
from synapscale.generate.usage import usage


def write_dataset(config: GeneratorConfig, out_dir: Path) -> list[Path]:
    """Write the data set (or the batch) into `out_dir` and return the files written, in a stable order."""
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
    events = corrupt_duplicate_late(rng, config, events)
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
