"""A published warehouse to break: a private copy of the session's published fixture warehouse plus a new
batch of landing files (generated, JSONL) that the run under test has not ingested yet."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from synapscale.generate import GeneratorConfig, write_dataset
from tests.faults.harness import check_serve, landing_events
from tests.support.cli import Folders, Published, private_copy

# Small on purpose: the faults are about processes and files, not volume (2 usage months, Feb-Mar 2025).
NEW_BATCH = GeneratorConfig(events=2_000, days=45, workspaces=3, users=9, seed=12, file_format="jsonl")


@dataclass(frozen=True)
class Warehouse(Folders):
    base_version: int
    base_rows: int

    def expected_events(self) -> int:
        """Distinct usage events in every landing file, counted with polars."""
        return landing_events(self.landing)["event_id"].n_unique()


@pytest.fixture(scope="session")
def new_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("new_batch")
    write_dataset(NEW_BATCH, folder)
    return folder


@pytest.fixture
def warehouse(published: Published, new_batch: Path, tmp_path: Path) -> Warehouse:
    landing, warehouse = private_copy(published, tmp_path)
    for path in new_batch.iterdir():
        shutil.copy2(path, landing / path.name)
    version, rows = check_serve(warehouse / "serve.duckdb")
    return Warehouse(landing=landing, warehouse=warehouse, base_version=version, base_rows=rows)
