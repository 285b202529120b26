"""`kill -9` of a real `synapscale run` during ingest, during `dbt build` and during publish: the serve file
stays a complete, reconciling publication at every moment (checked from this process throughout), the next
run takes over and completes, nothing is lost or loaded twice, and run history shows the killed run as
abandoned."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from tests.faults.conftest import Warehouse
from tests.faults.harness import (
    ServeWatcher,
    alive,
    children,
    holds_file,
    kill_hard,
    kill_run_at,
    start_run,
    wait_until,
)
from tests.support.cli import synapscale
from tests.support.warehouse import query


def kill_at(wh: Warehouse, tmp_path: Path, stop_at: str) -> tuple[int, Path]:
    """Start a run that stops at `stop_at`, kill -9 it there; returns (its pid, its log)."""
    return kill_run_at(wh.landing, wh.warehouse, stop_at, tmp_path)


def next_run_completes(wh: Warehouse, killed_pid: int) -> str:
    result = synapscale("run", "--landing", str(wh.landing), "--warehouse", str(wh.warehouse))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert f"previous run pid {killed_pid} ended without finishing; taking over" in result.stdout
    return result.stdout


def assert_everything_loaded_once(wh: Warehouse) -> None:
    expected = wh.expected_events()
    landing_files = sorted(p for p in wh.landing.iterdir() if p.is_file())
    manifest = pl.DataFrame(
        query(wh.build_db, "select source_file, content_hash from raw.load_manifest"),
        schema=["source_file", "content_hash"],
        orient="row",
    )
    assert sorted(Path(f).name for f in manifest["source_file"]) == sorted(p.name for p in landing_files)
    assert manifest["content_hash"].n_unique() == manifest.height
    assert query(wh.build_db, "select count(*), count(distinct event_id) from raw.usage_events") == [
        (expected, expected)
    ]
    assert query(wh.serve_db, "select count(*), count(distinct event_id) from core.usage_logs") == [
        (expected, expected)
    ]


def assert_history(wh: Warehouse, killed_pid: int, killed_step: str) -> None:
    rows = query(
        wh.serve_db,
        "select run_id, status, failing_step, error, taken_over_from, published_version from ops.run_history "
        "where started_at > (select min(started_at) from ops.run_history) order by started_at",
    )
    (killed_id, status, step, error, _, _), (_, next_status, _, _, taken_over, version) = rows
    assert killed_id.endswith(f"-{killed_pid}")
    assert (status, step) == ("abandoned", killed_step)
    assert f"pid {killed_pid} ended without finishing" in error
    assert (next_status, taken_over, version) == ("published", killed_id, wh.base_version + 1)


def assert_watcher_saw_only_whole_publications(watcher: ServeWatcher, wh: Warehouse) -> None:
    assert watcher.errors == []
    assert len(watcher.seen) > 20, "the watcher barely ran"
    assert set(watcher.seen) <= {(wh.base_version, wh.base_rows), (wh.base_version + 1, wh.expected_events())}
    assert watcher.seen[-1] == (wh.base_version + 1, wh.expected_events())


def test_kill_during_ingest_loses_nothing_and_loads_nothing_twice(warehouse: Warehouse, tmp_path: Path) -> None:
    victim = sorted(p.name for p in warehouse.landing.glob("usage_2025-0[23]*"))[-1]
    with ServeWatcher(warehouse.serve_db) as watcher:
        pid, _ = kill_at(warehouse, tmp_path, f"ingest_before_commit:{victim}")
        loaded = query(warehouse.build_db, "select source_file from raw.load_manifest")
        committed = {Path(row[0]).name for row in loaded}
        assert victim not in committed and "feedback.jsonl" in committed  # files before it stayed committed
        next_run_completes(warehouse, pid)
    assert_watcher_saw_only_whole_publications(watcher, warehouse)
    assert_everything_loaded_once(warehouse)
    assert_history(warehouse, pid, "ingest")


def test_kill_during_dbt_build_takes_dbt_down_too(warehouse: Warehouse, tmp_path: Path) -> None:
    marker, log = tmp_path / "reached", tmp_path / "killed_run.log"
    with ServeWatcher(warehouse.serve_db) as watcher:
        process = start_run(warehouse.landing, warehouse.warehouse, "dbt_started", marker, log, action="go on")
        try:
            wait_until(marker.exists, process, log)
            # dbt is running and has the build file open: it is building.
            dbt_pid = wait_until(
                lambda: next((c for c in children(process.pid) if holds_file(c, warehouse.build_db)), None),
                process,
                log,
            )
            kill_hard(process)
        finally:
            if process.poll() is None:
                process.kill()
        deadline = time.monotonic() + 10
        while alive(dbt_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(dbt_pid), "dbt outlived the killed run and still holds build.duckdb"
        next_run_completes(warehouse, process.pid)
    assert_watcher_saw_only_whole_publications(watcher, warehouse)
    assert_everything_loaded_once(warehouse)
    assert_history(warehouse, process.pid, "dbt build")


def test_kill_during_publish_keeps_the_old_serve_file_and_the_next_run_cleans_up(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    with ServeWatcher(warehouse.serve_db) as watcher:
        pid, _ = kill_at(warehouse, tmp_path, "publish_copied")
        left_behind = list(warehouse.warehouse.glob(".serve.duckdb.*.tmp"))
        assert len(left_behind) == 1  # the finished copy, never renamed into place
        output = next_run_completes(warehouse, pid)
    assert "published" in output
    assert not list(warehouse.warehouse.glob(".serve.duckdb.*.tmp"))
    assert_watcher_saw_only_whole_publications(watcher, warehouse)
    assert_everything_loaded_once(warehouse)
    assert_history(warehouse, pid, "publish")
