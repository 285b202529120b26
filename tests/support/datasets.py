"""Generated data sets several test folders build warehouses from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from synapscale.generate import GeneratorConfig, write_dataset

HISTORY_END = date(2025, 3, 31)


def write_history(folder: Path, *, events: int, days: int, seed: int, late_rate: float) -> Path:
    """A history of `days` days up to HISTORY_END (so there are months to close and late records landing after
    them) for 8 workspaces and 60 users, with a few re-sent and bad records, as Parquet files in `folder`."""
    config = GeneratorConfig(
        events=events,
        days=days,
        workspaces=8,
        users=60,
        seed=seed,
        end=HISTORY_END,
        late_rate=late_rate,
        duplicate_rate=0.01,
        bad_rate=0.002,
    )
    write_dataset(config, folder)
    return folder
