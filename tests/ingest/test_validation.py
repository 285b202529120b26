"""The corrupted corpus: every bad record is quarantined with the right reason, nothing is silently dropped,
and SQL-looking ids are stored verbatim."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ingest.load import ingest_paths
from ingest.validate import MAX_RAW_CHARS, REASON_CODES
from tests.support.ingest import FIXTURES, query, quiet
from tests.support.paths import PROJECT_DIR

CORRUPTED = FIXTURES / "corrupted"

# Line -> expected outcome, written by hand from the fixture (None = loaded).
USAGE_LINES: dict[int, str | None] = {
    1: None,
    2: None,
    3: "unparseable",
    4: "invalid_utf8",
    5: "missing_field",
    6: "wrong_type",  # input_tokens "lots"
    7: "wrong_type",  # output_tokens 1.5
    8: "negative_tokens",
    9: "cache_exceeds_input",
    10: "reasoning_exceeds_output",
    11: "bad_timestamp",
    12: "absurd_timestamp",  # 1900
    13: "absurd_timestamp",  # 3000
    14: "invalid_value",
    15: None,  # SQL-looking ids
    16: "duplicate",  # event_id ok-1 again
    # 17 is blank: not a record
    18: None,
}
FEEDBACK_LINES = {
    1: None,
    2: None,
    3: "invalid_value",
    4: "invalid_value",
    5: "missing_field",
    6: "absurd_timestamp",
    7: None,
    8: "invalid_value",
}
WORKSPACE_LINES = {
    2: None,
    3: "invalid_value",
    4: "invalid_value",
    5: "bad_timestamp",
    6: "unparseable",
    7: "wrong_type",
}
USER_LINES = {2: None, 3: "invalid_utf8", 4: "missing_field", 5: "absurd_timestamp"}
SQL_EVENT_ID = "'); drop table raw.usage_events; --"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("corrupted")
    landing = tmp / "landing"
    shutil.copytree(CORRUPTED, landing)
    db = tmp / "build.duckdb"
    # usage_corrupted first, then usage_resent (sorted names), so cross-file duplicates are deterministic.
    report = ingest_paths(db, [landing], progress=quiet)
    return db, {Path(f.file).name: f for f in report.files}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("usage_corrupted.jsonl", USAGE_LINES),
        ("feedback_corrupted.jsonl", FEEDBACK_LINES),
        ("workspaces_corrupted.csv", WORKSPACE_LINES),
        ("users_corrupted.csv", USER_LINES),
    ],
)
def test_each_record_has_the_right_outcome(loaded: tuple[Path, dict], name: str, expected: dict) -> None:
    db, results = loaded
    result = results[name]
    assert result.error is None
    assert result.read == len(expected)
    assert result.read == result.loaded + result.duplicates + result.quarantined
    assert result.quarantined == sum(1 for v in expected.values() if v not in (None, "duplicate"))
    assert result.duplicates == sum(1 for v in expected.values() if v == "duplicate")
    quarantined = dict(
        query(db, "select source_line, reason_code from raw.quarantine where source_file like ?", [f"%{name}"])
    )
    assert quarantined == {line: code for line, code in expected.items() if code not in (None, "duplicate")}
    assert set(quarantined.values()) <= set(REASON_CODES)


def test_every_file_balances(loaded: tuple[Path, dict]) -> None:
    db, results = loaded
    for result in results.values():
        assert result.read == result.loaded + result.duplicates + result.quarantined, result.file
    manifest = query(
        db,
        "select count(*) from raw.load_manifest "
        "where records_read <> records_loaded + duplicates_skipped + records_quarantined",
    )
    assert manifest[0][0] == 0


def test_duplicates_within_and_across_files(loaded: tuple[Path, dict]) -> None:
    db, results = loaded
    resent = results["usage_resent.jsonl"]
    # cross-file-1 and ok-2 were loaded by usage_corrupted.jsonl; new-1 is new.
    assert (resent.read, resent.loaded, resent.duplicates, resent.quarantined) == (3, 1, 2, 0)
    counts = dict(query(db, "select event_id, count(*) from raw.usage_events group by 1"))
    assert counts["ok-1"] == 1 and counts["cross-file-1"] == 1 and counts["ok-2"] == 1
    # The first occurrence in the file wins: line 1 (input 100), not line 16 (input 999).
    assert query(db, "select input_tokens, source_line from raw.usage_events where event_id = 'ok-1'") == [(100, 1)]


def test_sql_looking_ids_are_stored_verbatim(loaded: tuple[Path, dict]) -> None:
    db, _ = loaded
    row = query(db, "select user_id, workspace_id from raw.usage_events where event_id = ?", [SQL_EVENT_ID])
    assert row == [('" or 1=1 --', "ws-1'; delete from raw.load_manifest; --")]
    feedback = query(
        db,
        "select value from raw.feedback_events where feedback_id = ?",
        ["x'); drop table raw.feedback_events; --"],
    )
    assert feedback == [("down",)]
    assert query(db, "select count(*) from raw.load_manifest")[0][0] == len(list(CORRUPTED.iterdir()))  # intact


def test_huge_field_is_quarantined_truncated(loaded: tuple[Path, dict]) -> None:
    db, results = loaded
    result = results["usage_huge_field.jsonl.gz"]
    assert (result.read, result.loaded, result.quarantined) == (2, 1, 1)
    code, raw = query(db, "select reason_code, raw_record from raw.quarantine where source_file like '%huge%'")[0]
    assert code == "field_too_large"
    assert len(raw) < MAX_RAW_CHARS + 200
    assert raw.startswith('{"event_id": "huge-1"') and "[truncated by ingest:" in raw


def test_quarantine_keeps_the_raw_text(loaded: tuple[Path, dict]) -> None:
    db, _ = loaded
    lines = (CORRUPTED / "usage_corrupted.jsonl").read_bytes().split(b"\n")
    raw = query(
        db,
        "select raw_record from raw.quarantine where source_file like '%usage_corrupted%' and source_line = 3",
    )[0][0]
    assert raw == lines[2].decode()
    messages = query(
        db, "select reason_message from raw.quarantine where reason_message is null or reason_message = ''"
    )
    assert messages == []


def test_the_docs_table_lists_every_reason_code_in_the_order_they_are_checked() -> None:
    text = (PROJECT_DIR / "docs" / "ingest.md").read_text(encoding="utf-8")
    section = text[text.index("## Validation and quarantine") :]
    section = section[: section.index("\n## ", 1)]
    documented = tuple(re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.M))
    assert documented == REASON_CODES
