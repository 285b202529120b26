"""A crash (SIGKILL) in the middle of a file leaves nothing of that file behind (nor of the small files loaded in
the same transaction with it); the re-run loads each once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ingest.load import ingest_paths
from synapscale.generate import GeneratorConfig, write_dataset
from tests.support.ingest import query, quiet
from tests.support.paths import PROJECT_DIR

# The loader, run in a child process, pauses inside the victim file's transaction (its rows written, not yet
# committed) through the loader's `before_commit` callback, and says so by creating the marker file.
PAUSING_LOADER = """
import sys, time
from pathlib import Path
from ingest.load import ingest_paths

db, landing, marker, victim = sys.argv[1:]

def pause_in_victim(result):
    if Path(result.file).name == victim:
        Path(marker).write_text(str(result.load_id))
        time.sleep(600)

ingest_paths(Path(db), [Path(landing)], before_commit=pause_in_victim)
"""


def test_sigkill_inside_the_transaction_leaves_nothing(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    files = write_dataset(GeneratorConfig(events=60_000, days=40, workspaces=6, users=30, seed=7), landing)
    usage_files = [f for f in files if f.name.startswith("usage_")]
    victim = usage_files[-1]
    db = tmp_path / "build.duckdb"
    marker = tmp_path / "paused"
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSING_LOADER, str(db), str(landing), str(marker), victim.name],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
            assert time.monotonic() < deadline, "the loader never reached the pause point"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    # Files loaded in transactions before the victim's were committed; the victim's transaction (the file alone,
    # or the batch of small files it was loaded with: ingest/batch.py) left nothing of any of its files.
    committed = {Path(row[0]).name for row in query(db, "select source_file from raw.load_manifest")}
    assert victim.name not in committed
    assert "feedback.parquet" in committed and all(name < victim.name for name in committed)
    for lost in (f for f in files if f.name not in committed):
        for table in ("usage_events", "quarantine", "feedback_events"):
            count = query(db, f"select count(*) from raw.{table} where source_file = ?", [str(lost)])[0][0]
            assert count == 0, (lost.name, table)
    # Re-run: every file is loaded exactly once.
    report = ingest_paths(db, [landing], progress=quiet)
    assert report.ok
    assert report.by_file(victim.name).loaded > 0 and not report.by_file(victim.name).skipped_already_loaded
    import polars as pl

    expected_events = sum(pl.read_parquet(f).height for f in usage_files)
    assert query(db, "select count(*), count(distinct event_id) from raw.usage_events")[0] == (
        expected_events,
        expected_events,
    )
    assert query(db, "select count(*), count(distinct content_hash) from raw.load_manifest")[0] == (
        len(files),
        len(files),
    )
