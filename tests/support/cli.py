"""Running the real `synapscale` command in a subprocess, as a scheduler would, and what a run published."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import PROJECT_DIR


@dataclass(frozen=True)
class Folders:
    """A landing folder and the warehouse folder a run builds from it."""

    landing: Path
    warehouse: Path

    @property
    def serve_db(self) -> Path:
        return self.warehouse / "serve.duckdb"

    @property
    def build_db(self) -> Path:
        return self.warehouse / "build.duckdb"


@dataclass(frozen=True)
class Published(Folders):
    """A warehouse built from tests/fixtures/landing by `synapscale run`."""

    first_run: subprocess.CompletedProcess[str]


def private_copy(published: Published, tmp_path: Path) -> tuple[Path, Path]:
    """(landing, warehouse): copies of the published run's folders that a test may change."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(published.landing, landing)
    shutil.copytree(published.warehouse, warehouse)
    return landing, warehouse


def synapscale(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "synapscale", *args],
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
