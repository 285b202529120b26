"""Small files loaded as a batch (ingest/batch.py) give exactly what loading them one by one gives: the same
rows, lines, quarantine records and per-file counts; dedupe in landing order; a batch that cannot be read
together falls back to one file at a time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.load import ingest_paths
from synapscale.generate import GeneratorConfig, write_dataset
from tests.support.ingest import query, quiet

ROWS = (
    "select event_id, occurred_at, workspace_id, input_tokens, cost, source_file, source_line from ("
    "select *, provider_cost_usd::varchar as cost from raw.usage_events) order by source_file, source_line"
)
QUARANTINE = "select source_file, source_line, raw_record, reason_code from raw.quarantine order by 1, 2"
COUNTS = (
    "select source_file, records_read, records_loaded, duplicates_skipped, records_quarantined "
    "from raw.load_manifest order by 1"
)


@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
def test_a_batch_loads_what_one_file_at_a_time_loads(tmp_path: Path, file_format: str) -> None:
    config = GeneratorConfig(
        events=1_500, days=10, workspaces=3, users=9, seed=9, bad_rate=0.03, duplicate_rate=0.05,
        late_rate=0.05, file_format=file_format,
    )  # fmt: skip
    landing = tmp_path / "landing"
    files = write_dataset(config, landing)
    assert len([f for f in files if f.name.startswith("usage_late_landed_")]) > 5  # small daily files
    batched = tmp_path / "batched.duckdb"
    messages: list[str] = []
    report = ingest_paths(batched, [landing], progress=messages.append)
    assert report.ok and any("for a batch of" in message for message in messages)
    one_by_one = tmp_path / "one_by_one.duckdb"
    for path in files:  # landing order, one ingest per file: never a batch
        assert ingest_paths(one_by_one, [path], progress=quiet).ok
    for sql in (ROWS, QUARANTINE, COUNTS):
        assert query(batched, sql) == query(one_by_one, sql), sql
    for result in report.files:
        assert result.read == result.loaded + result.duplicates + result.quarantined
    assert report.duplicates > 0 and report.quarantined > 0


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def _event(event_id: str, day: int) -> dict[str, object]:
    return {
        "event_id": event_id,
        "occurred_at": f"2025-03-{day:02d}T10:00:00Z",
        "workspace_id": "ws-1",
        "user_id": "u-1",
        "provider": "openai",
        "model": "gpt-4o",
        "input_tokens": 100,
        "output_tokens": 10,
    }


def test_the_first_occurrence_in_landing_order_wins(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    _jsonl(landing / "usage_01.jsonl", [_event("e1", 1), _event("e2", 1)])
    _jsonl(landing / "usage_02.jsonl", [_event("e2", 2), _event("e3", 2), _event("e3", 2)])
    shutil.copy(landing / "usage_01.jsonl", landing / "usage_03.jsonl")  # the same content again
    db = tmp_path / "build.duckdb"
    report = ingest_paths(db, [landing], progress=quiet)
    assert [(f.loaded, f.duplicates, f.skipped_already_loaded) for f in report.files] == [
        (2, 0, False),
        (1, 2, False),
        (0, 0, True),
    ]
    assert report.files[0].batch_files == 3
    assert report.files[2].load_id == report.files[0].load_id
    rows = query(db, "select event_id, source_file, source_line from raw.usage_events order by 1")
    assert rows == [
        ("e1", str(landing / "usage_01.jsonl"), 1),
        ("e2", str(landing / "usage_01.jsonl"), 2),
        ("e3", str(landing / "usage_02.jsonl"), 2),
    ]


def test_a_batch_that_cannot_be_read_together_is_loaded_file_by_file(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    _jsonl(landing / "usage_01.jsonl", [_event("e1", 1)])
    broken = _jsonl(landing / "usage_02.jsonl", [_event("e2", 2)])
    broken.write_text(broken.read_text() + '{"event_id": "e3", "occurred_at": \n\n')  # malformed, then blank
    _jsonl(landing / "usage_03.jsonl", [_event("e4", 3)])
    db = tmp_path / "build.duckdb"
    report = ingest_paths(db, [landing], progress=quiet)
    assert report.ok
    assert [(f.read, f.loaded, f.quarantined, f.batch_files) for f in report.files] == [
        (1, 1, 0, 1),
        (2, 1, 1, 1),
        (1, 1, 0, 1),
    ]
    assert query(db, "select source_line, reason_code from raw.quarantine") == [(2, "unparseable")]
