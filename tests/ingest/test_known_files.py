"""A file already loaded from the same path, with the same size and modification time, is skipped without being
read or hashed; a file modified just before its load, touched, moved or changed is hashed as before."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from ingest import manifest
from ingest.load import ingest_paths
from tests.support.ingest import FIXTURES, query, quiet

HOUR_NS = 3_600 * 10**9


def _landed(tmp_path: Path, age_ns: int = HOUR_NS) -> Path:
    landing = tmp_path / "landing"
    landing.mkdir()
    path = landing / "usage_events.jsonl"
    shutil.copy(FIXTURES / "canonical" / "usage_events.jsonl", path)
    stamp = time.time_ns() - age_ns
    os.utime(path, ns=(stamp, stamp))
    return path


def _never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> manifest.Digest:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(manifest, "digest", refuse)


def test_a_known_file_is_skipped_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _landed(tmp_path)
    db = tmp_path / "build.duckdb"
    first = ingest_paths(db, [path.parent], progress=quiet)
    assert query(db, "select file_mtime_ns from raw.load_manifest") == [(path.stat().st_mtime_ns,)]
    _never_read(monkeypatch)
    second = ingest_paths(db, [path.parent], progress=quiet)
    assert second.files[0].skipped_already_loaded and second.files[0].load_id == first.files[0].load_id
    assert query(db, "select count(*) from raw.usage_events")[0][0] == first.loaded == 5


def test_a_file_modified_just_before_its_load_is_hashed_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _landed(tmp_path, age_ns=0)  # its mtime might not prove its content yet (manifest.QUIESCENT_SECONDS)
    db = tmp_path / "build.duckdb"
    ingest_paths(db, [path.parent], progress=quiet)
    assert query(db, "select file_mtime_ns from raw.load_manifest") == [(None,)]
    calls: list[Path] = []
    original = manifest.digest

    def counting(target: Path) -> manifest.Digest:
        calls.append(target)
        return original(target)

    monkeypatch.setattr(manifest, "digest", counting)
    again = ingest_paths(db, [path.parent], progress=quiet)
    assert again.files[0].skipped_already_loaded and calls == [path]


def test_a_touched_moved_or_changed_file_is_hashed(tmp_path: Path) -> None:
    path = _landed(tmp_path)
    db = tmp_path / "build.duckdb"
    ingest_paths(db, [path.parent], progress=quiet)
    os.utime(path, ns=(time.time_ns() - 2 * HOUR_NS,) * 2)  # touched: same content, skipped by its hash
    assert ingest_paths(db, [path.parent], progress=quiet).files[0].skipped_already_loaded
    moved = path.with_name("renamed.jsonl")
    path.rename(moved)
    assert ingest_paths(db, [moved], progress=quiet).files[0].skipped_already_loaded
    lines = moved.read_text().splitlines()
    moved.write_text("\n".join(lines[:-1]) + "\n")  # one event fewer
    changed = ingest_paths(db, [moved], progress=quiet).files[0]
    assert not changed.skipped_already_loaded and changed.duplicates + changed.loaded + changed.quarantined == 4
