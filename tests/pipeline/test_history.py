"""Run history written by real runs: the published run's row (in both files) holds figures worked out here
from the landing fixture and from dbt's own run_results.json; a --full-refresh keeps the history; stale data
is reported and published, never fatal; a landing folder of broken files finishes, quarantines and shows up
in `synapscale status`."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb

from tests.support.cli import Published, private_copy, synapscale
from tests.support.paths import FIXTURES
from tests.support.warehouse import query

COLUMNS = (
    "command, status, files_seen, files_loaded, files_skipped, files_failed, events_loaded, records_loaded, "
    "records_quarantined, duplicates, models_built, models_failed, tests_passed, tests_failed, tests_warned, "
    "published_version, serve_file_bytes, freshness_status, failing_step, error"
)


def history_rows(db: Path) -> list[dict[str, object]]:
    with duckdb.connect(str(db), read_only=True) as con:
        result = con.execute(f"select run_id, {COLUMNS} from ops.run_history order by started_at")
        names = [c[0] for c in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def dbt_counts(run_results: Path) -> Counter[str]:
    """What dbt says it built and tested, straight from its artifact."""
    results = json.loads(run_results.read_text())["results"]
    return Counter(f"{r['unique_id'].split('.')[0]}:{r['status']}" for r in results)


def test_the_published_run_is_recorded_with_its_figures_in_both_files(published: Published) -> None:
    counts = dbt_counts(published.warehouse / "dbt" / "target" / "run_results.json")
    lines = (FIXTURES / "landing" / "usage_2025-01.jsonl").read_text().splitlines()
    (row,) = history_rows(published.build_db)
    (published_row,) = history_rows(published.serve_db)
    assert row == published_row  # the serve copy said 'published' before it was renamed into place
    assert row == {
        "run_id": row["run_id"],
        "command": "run",
        "status": "published",
        "files_seen": 1,
        "files_loaded": 1,
        "files_skipped": 0,
        "files_failed": 0,
        "events_loaded": len(lines),
        "records_loaded": len(lines),
        "records_quarantined": 0,
        "duplicates": 0,
        "models_built": counts["model:success"] + counts["seed:success"],
        "models_failed": 0,
        "tests_passed": counts["test:pass"] + counts["unit_test:pass"],
        "tests_failed": 0,
        "tests_warned": 0,
        "published_version": 1,
        "serve_file_bytes": published.serve_db.stat().st_size,
        "freshness_status": "pass",
        "failing_step": None,
        "error": None,
    }
    assert query(published.serve_db, "select published_version, run_id, usage_log_rows from meta.publication") == [
        (1, row["run_id"], len(lines))
    ]
    steps = query(
        published.build_db,
        "select ingest_seconds, dbt_seconds, freshness_seconds, publish_seconds, total_seconds from ops.run_history",
    )[0]
    assert all(seconds > 0 for seconds in steps) and sum(steps[:4]) <= steps[4]
    comments = query(
        published.serve_db,
        "select count(*), count(comment) from duckdb_columns() "
        "where schema_name = 'ops' and table_name = 'run_history'",
    )[0]
    assert comments[0] == comments[1] > 30  # analysts see what every column means


def test_a_full_refresh_keeps_the_history(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    result = synapscale("run", "--full-refresh", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    rows = history_rows(warehouse / "serve.duckdb")
    assert [(r["status"], r["published_version"]) for r in rows] == [("published", 1), ("published", 2)]
    assert rows[1]["files_skipped"] == 1 and rows[1]["events_loaded"] == 0


def test_stale_data_is_reported_and_still_published(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:  # the feed stopped 30 hours ago
        con.execute("update raw.usage_event_rows set ingested_at = now() - interval 30 hour")
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    assert "stale: raw.usage_events is error: newest row ingested 30.0 h ago" in result.stdout
    last = history_rows(warehouse / "serve.duckdb")[-1]
    assert (last["status"], last["freshness_status"], last["published_version"]) == ("published", "error", 2)
    status = synapscale("status", "--check", "--warehouse", str(warehouse))
    assert status.returncode == 1
    assert (
        "raw.usage_events is stale (error): newest row ingested 30.0 h ago, over 24 h; check the feed" in status.stdout
    )


def test_a_landing_folder_of_broken_files_finishes_quarantines_and_shows_in_status(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(FIXTURES / "ingest" / "corrupted", landing)
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    reasons = query(warehouse / "serve.duckdb", "select reason_code, count(*) from raw.quarantine group by 1")
    last = history_rows(warehouse / "serve.duckdb")[-1]
    assert last["status"] == "published"
    assert last["records_quarantined"] == sum(count for _, count in reasons) > 0
    status = synapscale("status", "--warehouse", str(warehouse))
    listed = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons, key=lambda r: (-r[1], r[0]))[:5])
    assert f"{last['records_quarantined']} record(s) quarantined recently ({listed})" in status.stdout
    assert "see raw.quarantine" in status.stdout
