"""Clean canonical Parquet usage files are registered as files; raw.usage_events reads them like copied rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest import raw_files
from ingest.contract import USAGE
from ingest.database import connect
from ingest.load import ingest_paths
from synapscale.generate import GeneratorConfig, write_dataset
from synapscale.pipeline.publish import publish
from tests.support.ingest import query, quiet

ROWS = "select * exclude (load_id, ingested_at) from raw.usage_events order by source_file, source_line"


@pytest.fixture(autouse=True)
def register_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests use small files; registration normally starts at one DuckDB row group."""
    monkeypatch.setattr(raw_files, "MIN_ROWS", 1)


def _landing(tmp_path: Path) -> list[Path]:
    config = GeneratorConfig(events=3_000, days=40, workspaces=4, users=20, seed=3, file_format="parquet")
    return write_dataset(config, tmp_path / "landing")


def _storage(db: Path) -> dict[str, str]:
    rows = query(db, "select source_file, storage from raw.load_manifest where record_type = 'usage'")
    return {Path(file).name: storage for file, storage in rows}


def test_registered_files_read_exactly_like_copied_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _landing(tmp_path)
    registered_db = tmp_path / "registered" / "build.duckdb"
    report = ingest_paths(registered_db, files, progress=quiet)
    assert report.ok and report.quarantined == 0
    assert set(_storage(registered_db).values()) == {raw_files.STORAGE}
    stored = sorted(p.name for p in raw_files.directory(registered_db).iterdir())
    assert stored == sorted(
        f"{row[0]}.parquet"
        for row in query(registered_db, "select load_id from raw.load_manifest where storage = 'parquet_file'")
    )

    monkeypatch.setattr(raw_files, "candidate", lambda *_: False)
    copied_db = tmp_path / "copied" / "build.duckdb"
    ingest_paths(copied_db, files, progress=quiet)
    assert set(_storage(copied_db).values()) == {"table"}

    assert query(registered_db, ROWS) == query(copied_db, ROWS)
    types = "select column_name, column_type from (describe raw.usage_events)"
    assert query(registered_db, types) == query(copied_db, types)
    # Lineage: every record names its load, whose manifest row names the same landing file.
    assert query(
        registered_db,
        "select count(*) from raw.usage_events e join raw.load_manifest m using (load_id) "
        "where m.source_file = e.source_file and e.ingested_at = m.finished_at",
    ) == query(registered_db, "select count(*) from raw.usage_events")


def test_a_file_whose_values_conversion_changes_is_copied(tmp_path: Path) -> None:
    files = _landing(tmp_path)
    usage = next(f for f in files if f.name.startswith("usage_"))
    frame = pl.read_parquet(usage)
    padded = tmp_path / "padded.parquet"  # a trailing space is trimmed on load: not the file's own value
    frame.with_columns(pl.col("model") + " ").write_parquet(padded)
    defaulted = tmp_path / "defaulted.parquet"  # a missing token count defaults to 0
    frame.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("reasoning_output_tokens"), pl.col("event_id") + "-d"
    ).write_parquet(defaulted)
    db = tmp_path / "build.duckdb"
    report = ingest_paths(db, [padded, defaulted], progress=quiet)
    assert report.ok and report.loaded == 2 * frame.height
    assert _storage(db) == {"padded.parquet": "table", "defaulted.parquet": "table"}
    assert query(db, "select count(*) from raw.usage_events where model like '% '") == [(0,)]
    assert not any(raw_files.directory(db).glob("*.parquet"))  # the staged copies are gone


def test_registered_events_are_seen_by_dedupe_and_orphans_are_removed(tmp_path: Path) -> None:
    files = _landing(tmp_path)
    usage = next(f for f in files if f.name.startswith("usage_"))
    db = tmp_path / "build.duckdb"
    ingest_paths(db, [usage], progress=quiet)
    events = query(db, "select count(*) from raw.usage_events")[0][0]
    orphan = raw_files.directory(db) / "not-committed.parquet"  # as a crash before the commit leaves it
    shutil.copyfile(usage, orphan)
    resent = tmp_path / "resent.parquet"
    pl.read_parquet(usage).head(5).write_parquet(resent)

    report = ingest_paths(db, [resent], progress=quiet)

    assert report.ok and report.duplicates == 5 and report.loaded == 0
    assert not orphan.exists()
    assert query(db, "select count(*), count(distinct event_id) from raw.usage_events") == [(events, events)]


def test_published_copy_and_moved_warehouse_still_read_the_files(tmp_path: Path) -> None:
    files = _landing(tmp_path)
    db = tmp_path / "warehouse" / "build.duckdb"
    ingest_paths(db, files, progress=quiet)
    expected = query(db, "select count(*) from raw.usage_events")
    with duckdb.connect(str(db)) as con:  # publish records core.usage_logs' size: stand in for dbt's model
        con.execute("create schema core; create table core.usage_logs as select 1 as x")
    serve = publish(db, tmp_path / "warehouse" / "serve.duckdb", progress=quiet)
    assert query(serve, "select count(*) from raw.usage_events") == expected
    moved = tmp_path / "moved"
    shutil.move(tmp_path / "warehouse", moved)
    report = ingest_paths(moved / "build.duckdb", files, progress=quiet)  # re-points the view, loads nothing
    assert report.loaded == 0 and report.skipped_files == len(files)
    assert query(moved / "build.duckdb", "select count(*) from raw.usage_events") == expected


def test_a_database_with_the_older_usage_table_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        older = USAGE.ddl().replace(USAGE.insert_table, USAGE.table)
        con.execute(older)
        con.execute(
            "insert into raw.usage_events (event_id, load_id, source_file, source_line, ingested_at) "
            "values ('old-1', 'l', 'f', 1, now())"
        )
    connect(db).close()
    assert query(db, "select event_id from raw.usage_events") == [("old-1",)]
    assert query(db, "select table_type from information_schema.tables where table_name = 'usage_events'") == [
        ("VIEW",)
    ]


def test_files_smaller_than_a_row_group_are_copied_as_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raw_files, "MIN_ROWS", 122_880)
    db = tmp_path / "build.duckdb"
    ingest_paths(db, _landing(tmp_path), progress=quiet)
    assert set(_storage(db).values()) == {"table"}
