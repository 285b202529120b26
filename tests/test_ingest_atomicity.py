"""A crash (SIGKILL) in the middle of a file leaves nothing of that file behind; the re-run loads it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ingest.generate import GeneratorConfig, write_dataset
from ingest.load import PAUSE_HOOK_ENV, PAUSE_ONLY_ENV, ingest_paths
from tests.ingest_helpers import query, quiet

ROOT = Path(__file__).resolve().parent.parent


def test_sigkill_inside_the_transaction_leaves_nothing(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    files = write_dataset(GeneratorConfig(events=60_000, days=40, workspaces=6, users=30, seed=7), landing)
    usage_files = [f for f in files if f.name.startswith("usage_")]
    victim = usage_files[-1]
    db = tmp_path / "build.duckdb"
    marker = tmp_path / "paused"
    env = {**os.environ, PAUSE_HOOK_ENV: str(marker), PAUSE_ONLY_ENV: victim.name, "PYTHONPATH": str(ROOT)}
    script = (
        "import sys; from pathlib import Path; from ingest.load import ingest_paths; "
        "ingest_paths(Path(sys.argv[1]), [Path(sys.argv[2])])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(db), str(landing)],
        cwd=ROOT,
        env=env,
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
    # Files before the victim were committed; nothing of the victim is there.
    committed = {Path(row[0]).name for row in query(db, "select source_file from raw.load_manifest")}
    assert victim.name not in committed
    assert committed == {f.name for f in sorted(files) if f < victim}
    for table in ("usage_events", "quarantine"):
        count = query(db, f"select count(*) from raw.{table} where source_file = ?", [str(victim)])[0][0]
        assert count == 0, table
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
