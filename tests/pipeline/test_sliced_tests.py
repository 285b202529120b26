"""An incremental pipeline run tests only the rows it wrote in the tables that say which those are
(macros/tests/tested_slice.sql, synapscale/pipeline/state.py tested_through); a new row that collides with an old
one still fails, a failed build makes the next run test everything, and a plain `dbt test` checks every row."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from synapscale.pipeline.dbt import dbt_invocation
from tests.support.cli import Published, private_copy, synapscale
from tests.support.paths import PROJECT_DIR
from tests.support.warehouse import query

SLICED = "data tests of the incremental core tables check the rows loaded after"
COMPILED = Path("dbt/target/compiled/synapscale/models")
# The relation a generic test reads, as get_where_subquery wrapped it (what the test checks).
TESTED = re.compile(r"from (\(select \* from .*?\) dbt_subquery)", re.S)


def _call(event_id: str, conversation_id: str, message_id: str) -> dict[str, object]:
    return {
        "event_id": event_id,
        "occurred_at": "2025-01-12T14:00:00Z",
        "workspace_id": "ws-acme",
        "user_id": "usr-ana",
        "conversation_id": conversation_id,
        "message_id": message_id,
        "provider": "openai",
        "model": "gpt-4o-mini",
        "input_tokens": 1000,
        "output_tokens": 100,
        "latency_ms": 900,
        "status": "success",
    }


def _land(landing: Path, name: str, calls: list[dict[str, object]]) -> None:
    (landing / name).write_text("".join(json.dumps(call) + "\n" for call in calls), encoding="utf-8")


def _run(landing: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    return synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))


def _tested_rows(warehouse: Path, test: str, column: str) -> list[object]:
    """`column` of the rows the last build's test `test` read (its compiled SQL, run on the build file), sorted."""
    [path] = (warehouse / COMPILED).rglob(f"{test}.sql")
    match = TESTED.search(path.read_text())
    assert match is not None, f"{test} read its model whole:\n{path.read_text()}"
    return sorted(row[0] for row in query(warehouse / "build.duckdb", f"select {column} from {match.group(1)}"))


def test_a_run_tests_the_rows_it_wrote(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    # a new call in an old conversation and message, and one in a new conversation
    _land(landing, "usage_2025-01-late.jsonl", [_call("evt-s1", "conv-1", "msg-1"), _call("evt-s2", "conv-s", "msg-s")])

    result = _run(landing, warehouse)

    assert result.returncode == 0, result.stdout[-3000:]
    assert SLICED in result.stdout
    # appended by load time: the new calls; rebuilt by key: every row of the keys the new calls touch
    assert _tested_rows(warehouse, "not_null_usage_logs_event_id", "event_id") == ["evt-s1", "evt-s2"]
    assert _tested_rows(warehouse, "not_null_stg_raw__usage_events_event_id", "event_id") == ["evt-s1", "evt-s2"]
    assert _tested_rows(warehouse, "not_null_messages_message_id", "message_id") == ["msg-1", "msg-s"]
    assert _tested_rows(warehouse, "not_null_conversations_conversation_id", "conversation_id") == ["conv-1", "conv-s"]
    # conv-1 used two models (the fixture's evt-0001 and evt-0002): both rows are its
    tested = _tested_rows(warehouse, "unique_conversation_llms_conversation_llm_id", "conversation_id")
    assert tested == ["conv-1", "conv-1", "conv-s"]
    # a uniqueness test reads every row sharing a key with the new ones (here: no old row shares one)
    assert _tested_rows(warehouse, "unique_usage_logs_event_id", "event_id") == ["evt-s1", "evt-s2"]
    # the marts and the small tables are tested whole
    assert not TESTED.search(next((warehouse / COMPILED).rglob("not_null_cost_daily_cost_daily_id.sql")).read_text())
    assert not TESTED.search(next((warehouse / COMPILED).rglob("unique_llms_llm_id.sql")).read_text())


def test_a_new_row_colliding_with_an_old_one_fails_and_the_next_run_tests_everything(
    published: Published, tmp_path: Path
) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    written_at = datetime.now(UTC)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:  # an old call written again, as new, by hand
        con.execute("create temp table copy as select * from core.usage_logs where event_id = 'evt-0003'")
        con.execute("update copy set ingested_at = ?", [written_at])
        con.execute("insert into core.usage_logs select * from copy")
    _land(landing, "usage_2025-01-late.jsonl", [_call("evt-s1", "conv-1", "msg-1")])

    failed = _run(landing, warehouse)

    assert failed.returncode != 0 and SLICED in failed.stdout
    assert "unique_usage_logs_event_id" in failed.stdout + failed.stderr

    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("delete from core.usage_logs where event_id = 'evt-0003' and ingested_at = ?", [written_at])
    again = _run(landing, warehouse)  # after a failed build: no standing build, every row tested
    assert again.returncode == 0, again.stdout[-3000:]
    assert SLICED not in again.stdout
    [path] = (warehouse / COMPILED).rglob("not_null_usage_logs_event_id.sql")
    assert not TESTED.search(path.read_text())


def test_an_old_row_changed_by_hand_is_left_to_a_plain_dbt_test(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("update core.usage_logs set cost_status = 'made up' where event_id = 'evt-0001'")
    _land(landing, "usage_2025-01-late.jsonl", [_call("evt-s1", "conv-s", "msg-s")])

    sliced = _run(landing, warehouse)  # the pipeline's rows are appended, never rewritten: old ones passed then
    assert sliced.returncode == 0, sliced.stdout[-3000:]
    assert SLICED in sliced.stdout

    command, env = dbt_invocation(
        PROJECT_DIR, warehouse / "build.duckdb", warehouse / "dbt", ["test", "--select", "usage_logs"]
    )
    plain = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert plain.returncode != 0
    assert re.search(r"FAIL 1 accepted_values_usage_logs_cost_status", plain.stdout), plain.stdout[-3000:]
