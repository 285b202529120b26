"""The whole data set: draw everything in a fixed order from one seeded generator, then write one file per
month of usage (plus late-landed files), feedback, and the workspace and user snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from synapscale.generate.config import GeneratorConfig, check
from synapscale.generate.corruption import corrupt_duplicate_late
from synapscale.generate.entities import HIDDEN_WORKSPACE_COLUMNS, users, workspaces
from synapscale.generate.feedback import feedback
from synapscale.generate.usage import usage


def write_dataset(config: GeneratorConfig, out_dir: Path) -> list[Path]:
    """Write the data set into `out_dir` and return the files written, in a stable order."""
    check(config)
    rng = np.random.default_rng(config.seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workspace_frame = workspaces(rng, config)
    user_frame = users(rng, config, workspace_frame)
    events = usage(rng, config, workspace_frame, user_frame)
    feedback_frame = feedback(rng, events)
    events = corrupt_duplicate_late(rng, config, events)
    written: list[Path] = []
    ext = config.file_format
    for (file_key,), part in events.group_by("_file"):
        written.append(_write(part.sort("_order").drop("_file", "_order"), out_dir / f"{file_key}.{ext}"))
    written.append(_write(feedback_frame, out_dir / f"feedback.{ext}"))
    written.append(_write(workspace_frame.drop(*HIDDEN_WORKSPACE_COLUMNS), out_dir / f"workspaces.{ext}"))
    written.append(_write(user_frame, out_dir / f"users.{ext}"))
    return sorted(written)


def _write(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.write_parquet(path, compression="zstd", statistics=False)
    else:
        frame.write_ndjson(path)
    return path
