"""`synapscale status` on warehouses set up here (raw tables from the contract, history rows through the
history module, no dbt): before any run, a failed last run, stale and quarantined data, and a run in progress
holding the build file."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from synapscale.ops import history
from tests.support.cli import synapscale
from tests.support.warehouse import create_raw, insert_raw

FRESHNESS = json.dumps(
    [
        {"table": "usage_events", "status": "pass", "warn_after_hours": 6.0, "error_after_hours": 24.0},
        {"table": "feedback_events", "status": "empty", "warn_after_hours": 48.0, "error_after_hours": 168.0},
    ]
)
EVENT = {
    "event_id": "e1", "occurred_at": "2025-01-10T10:00:00Z", "workspace_id": "ws", "user_id": "u",
    "provider": "openai", "model": "gpt-4o", "input_tokens": 1, "output_tokens": 1,
}  # fmt: skip


def warehouse_with(tmp_path: Path, ingested_hours_ago: float, last_status: str) -> Path:
    now = datetime.now(UTC)  # the status command runs a second later: ages below are to 0.1 h
    warehouse = tmp_path / "warehouse"
    build = create_raw(warehouse / "build.duckdb")
    insert_raw(build, "usage_events", [EVENT], ingested_at=now - timedelta(hours=ingested_hours_ago))
    with duckdb.connect(str(build)) as con:
        con.execute(
            "insert into raw.quarantine values ('l1', 'bad.jsonl', 3, 'usage', '{', 'unparseable', 'not JSON', ?), "
            "('l1', 'bad.jsonl', 4, 'usage', '{}', 'missing_field', 'no event_id', ?)",
            [now, now],
        )
    first = {"run_id": "r1", "command": "run", "started_at": now - timedelta(hours=2), "pid": 1}
    history.begin(build, first)
    history.update(build, "r1", {"status": "published", "published_version": 1, "freshness": FRESHNESS})
    history.begin(build, {"run_id": "r2", "command": "run", "started_at": now - timedelta(minutes=5), "pid": 2})
    failure = {"failing_step": "dbt build", "error": "dbt build failed: exit code 1; failing: test.x"}
    history.update(build, "r2", {"status": last_status, "records_quarantined": 2, **failure})
    shutil.copyfile(build, warehouse / "serve.duckdb")
    with duckdb.connect(str(warehouse / "serve.duckdb")) as con:
        con.execute(
            "create schema meta; create table meta.publication as "
            "select now() as published_at, 1 as published_version, 'r1' as run_id"
        )
    return warehouse


def test_before_any_run_it_says_what_to_do(tmp_path: Path) -> None:
    result = synapscale("status", "--warehouse", str(tmp_path / "nothing"))
    assert result.returncode == 0
    assert "published: nothing yet" in result.stdout
    assert "no run yet: put landing files in" in result.stdout and "synapscale run" in result.stdout
    assert synapscale("status", "--check", "--warehouse", str(tmp_path / "nothing")).returncode == 1
    assert not (tmp_path / "nothing").exists()


def test_a_failed_run_stale_data_and_quarantine_each_get_their_next_action(tmp_path: Path) -> None:
    warehouse = warehouse_with(tmp_path, ingested_hours_ago=30, last_status="failed")
    result = synapscale("status", "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "run r2 failed at dbt build: dbt build failed: exit code 1; failing: test.x. Fix that" in out
    assert "raw.usage_events is stale (error): newest row ingested 30.0 h ago, over 24 h; check the feed" in out
    assert "2 record(s) quarantined recently (missing_field 1, unparseable 1)" in out
    assert "raw.usage_events     1" in out and "6 h / 24 h" in out
    assert synapscale("status", "--check", "--warehouse", str(warehouse)).returncode == 1


def test_a_healthy_warehouse_passes_the_check(tmp_path: Path) -> None:
    warehouse = warehouse_with(tmp_path, ingested_hours_ago=1, last_status="published")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("delete from raw.quarantine")
        con.execute("update ops.run_history set records_quarantined = 0, error = null, failing_step = null")
    result = synapscale("status", "--check", "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout
    assert "next actions: none, all is well" in result.stdout


def test_while_a_run_holds_the_lock_and_the_build_file_it_reads_the_serve_copy(tmp_path: Path) -> None:
    warehouse = warehouse_with(tmp_path, ingested_hours_ago=1, last_status="failed")
    lock = {"pid": os.getpid(), "command": "run", "run_id": "r3", "started_at": "2025-03-01T10:00:00+00:00",
            "step": "dbt build"}  # fmt: skip
    with (
        open(warehouse / ".run.lock", "w") as held,
        duckdb.connect(str(warehouse / "build.duckdb")),  # the writer has the build file
    ):
        held.write(json.dumps(lock))
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = synapscale("status", "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    assert f"in progress: run pid {os.getpid()} since 2025-03-01T10:00:00+00:00, step: dbt build" in result.stdout
    assert "serve file's copy, as of the last publication" in result.stdout
    assert "r1" in result.stdout
