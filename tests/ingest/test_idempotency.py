"""Re-delivered files are skipped by content hash; feedback versions and snapshots are all kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ingest.load import ingest_paths
from tests.support.ingest import FIXTURES, query, quiet


def test_same_content_under_another_name_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    original = FIXTURES / "canonical" / "usage_events.jsonl"
    copy = tmp_path / "renamed_copy.jsonl"
    shutil.copy(original, copy)
    first = ingest_paths(db, [original], progress=quiet)
    messages: list[str] = []
    second = ingest_paths(db, [copy, original], progress=messages.append)
    assert first.loaded == 5
    assert [f.skipped_already_loaded for f in second.files] == [True, True]
    assert second.loaded == 0 and second.ok
    assert "already loaded" in messages[0]
    assert query(db, "select count(*) from raw.usage_events")[0][0] == 5
    assert query(db, "select count(*) from raw.load_manifest")[0][0] == 1


def test_manifest_records_hash_counts_and_time(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    path = FIXTURES / "corrupted" / "usage_corrupted.jsonl"
    ingest_paths(db, [path], progress=quiet)
    row = query(
        db,
        "select content_hash, record_type, adapter, records_read, records_loaded, duplicates_skipped, "
        "records_quarantined, finished_at >= started_at from raw.load_manifest",
    )[0]
    import hashlib

    assert row == (
        "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
        "usage",
        "canonical",
        17,
        4,
        1,
        12,
        True,
    )
    load_ids = query(
        db, "select distinct load_id from raw.usage_events union select distinct load_id from raw.quarantine"
    )
    assert load_ids == query(db, "select load_id from raw.load_manifest")


def test_changed_file_loads_only_new_events(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    landing = tmp_path / "landing"
    landing.mkdir()
    path = landing / "usage.jsonl"
    lines = (FIXTURES / "canonical" / "usage_events.jsonl").read_text().splitlines()
    path.write_text("\n".join(lines[:3]) + "\n")
    ingest_paths(db, [landing], progress=quiet)
    path.write_text("\n".join(lines) + "\n")  # the file grew: 3 old events + 2 new
    report = ingest_paths(db, [landing], progress=quiet)
    assert (report.read, report.loaded, report.duplicates) == (5, 2, 3)
    assert query(db, "select count(*), count(distinct event_id) from raw.usage_events")[0] == (5, 5)


def test_feedback_versions_and_snapshots_are_all_loaded(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    report = ingest_paths(
        db,
        [FIXTURES / "canonical" / "feedback_events.jsonl", FIXTURES / "canonical" / "workspaces.csv"],
        progress=quiet,
    )
    assert report.duplicates == 0
    versions = query(db, "select value from raw.feedback_events where feedback_id = 'fb-b' order by created_at")
    assert versions == [("3",), ("5",)]
    snapshot = tmp_path / "workspaces_later.csv"
    snapshot.write_text(
        "workspace_id,name,plan,monthly_budget_usd,timezone,created_at\n"
        "ws-acme,Acme Labs,enterprise,30000,America/Sao_Paulo,2023-06-01T00:00:00Z\n"
    )
    ingest_paths(db, [snapshot], progress=quiet)
    budgets = query(
        db,
        "select monthly_budget_usd::varchar from raw.workspaces where workspace_id = 'ws-acme' order by ingested_at",
    )
    assert budgets == [("25000.00",), ("30000.00",)]


def test_manifest_records_file_size_and_an_older_database_gains_it(tmp_path: Path) -> None:
    """The size lets a file no loaded file matches in size be hashed while it is read; a manifest row without a
    size (a database from before the column) sends every file through the hash first, so it is still skipped."""
    db = tmp_path / "build.duckdb"
    original = FIXTURES / "canonical" / "usage_events.jsonl"
    ingest_paths(db, [original], progress=quiet)
    assert query(db, "select file_size from raw.load_manifest") == [(original.stat().st_size,)]
    con = duckdb.connect(str(db))
    try:
        con.execute("alter table raw.load_manifest drop column file_size")
    finally:
        con.close()
    copy = tmp_path / "renamed_copy.jsonl"
    shutil.copy(original, copy)
    again = ingest_paths(db, [copy], progress=quiet)
    assert again.files[0].skipped_already_loaded and again.loaded == 0
    assert query(db, "select count(*), count(file_size) from raw.load_manifest") == [(1, 0)]
