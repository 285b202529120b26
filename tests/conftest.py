"""Shared fixtures: one real warehouse, built once per session by the real `synapscale run` (dbt as a subprocess)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass(frozen=True)
class Published:
    """A warehouse built from tests/fixtures/landing by `synapscale run`."""

    landing: Path
    warehouse: Path
    first_run: subprocess.CompletedProcess[str]

    @property
    def serve_db(self) -> Path:
        return self.warehouse / "serve.duckdb"

    @property
    def build_db(self) -> Path:
        return self.warehouse / "build.duckdb"


def synapscale(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a scheduler would."""
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("published")
    landing = root / "landing"
    shutil.copytree(FIXTURES / "landing", landing)
    warehouse = root / "warehouse"
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, f"synapscale run failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return Published(landing=landing, warehouse=warehouse, first_run=result)
