"""Core tables built by dbt (subprocess) from small raw fixtures: incremental history == full refresh, every
column documented in DuckDB, feedback latest-wins and normalisation, dimensions from events plus snapshots.

Every call carries provider_cost_usd, so its cost is known whatever the cost engine computes
(provider-reported cost wins); e06 uses a model no catalog knows and stays unpriced.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from polars.testing import assert_frame_equal

from tests.support.warehouse import CORE_TABLES, create_raw, insert_raw, query, read_table, run_dbt

PRIMARY_KEYS = {
    "llms": "llm_id",
    "usage_logs": "event_id",
    "billing_events": "billing_event_id",
    "conversation_llms": "conversation_llm_id",
    "message_feedbacks": "feedback_id",
    "tags": "tag_id",
    "users": "user_id",
    "workspaces": "workspace_id",
    "conversations": "conversation_id",
    "messages": "message_id",
}


def call(
    event_id: str,
    occurred_at: str,
    workspace: str,
    user: str,
    model: str,
    cost: str | None,
    conversation: str | None = None,
    message: str | None = None,
    tags: list[str] | None = None,
    provider: str = "openai",
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "occurred_at": occurred_at,
        "workspace_id": workspace,
        "user_id": user,
        "conversation_id": conversation,
        "message_id": message,
        "provider": provider,
        "model": model,
        "input_tokens": 1000,
        "output_tokens": 200,
        "provider_cost_usd": cost,
        "tags": tags,
    }


def feedback(
    feedback_id: str,
    message: str,
    user: str | None,
    created_at: str,
    kind: str,
    value: str,
    comment: str | None = None,
) -> dict[str, Any]:
    return {
        "feedback_id": feedback_id,
        "message_id": message,
        "user_id": user,
        "created_at": created_at,
        "kind": kind,
        "value": value,
        "comment": comment,
        "source": "user",
    }


# Three loads, each a dict of raw table -> rows, with the load's ingested_at.
BATCHES: list[tuple[str, dict[str, list[dict[str, Any]]]]] = [
    (
        "2025-01-31T23:00:00Z",
        {
            "usage_events": [
                call(
                    "e01",
                    "2025-01-05T10:00:00Z",
                    "w1",
                    "u1",
                    "gpt-4o",
                    "0.0125",
                    "c1",
                    "m1",
                    [" Prod", "prod", "Team-A", ""],
                ),
                call(
                    "e02",
                    "2025-01-06T11:00:00Z",
                    "w1",
                    "u2",
                    "claude-3-haiku",
                    "0.0031",
                    "c1",
                    "m2",
                    ["eval"],
                    provider="anthropic",
                ),
                call("e03", "2025-01-20T09:00:00Z", "w2", "u3", "gpt-4o-mini", "0.0007", "c2", "m3"),
            ],
            "workspaces": [
                {
                    "workspace_id": "w1",
                    "name": "Acme",
                    "plan": "Pro",
                    "monthly_budget_usd": "100",
                    "timezone": "Europe/Lisbon",
                    "created_at": "2024-12-01T00:00:00Z",
                }
            ],
            "users": [{"user_id": "u1", "workspace_id": "w1", "display_name": "Ana"}],
            "feedback_events": [
                feedback("f1", "m1", "u1", "2025-01-05T10:05:00Z", "thumbs", "up"),
                feedback("f2", "m2", "u2", "2025-01-06T11:05:00Z", "rating", "4"),
            ],
        },
    ),
    (
        "2025-02-15T00:00:00Z",
        {
            "usage_events": [
                call("e04", "2025-02-01T00:30:00Z", "w1", "u1", "gpt-4o", "0.02", "c1", "m4", ["PROD "]),
                call("e05", "2025-01-31T23:30:00Z", "w2", "u3", "gpt-4o-mini", "0.001", "c2", "m5"),
                call("e06", "2025-02-10T12:00:00Z", "w3", "u4", "mystery-model", None),
            ],
            "workspaces": [
                {
                    "workspace_id": "w1",
                    "name": "Acme Corp",
                    "plan": "Pro",
                    "monthly_budget_usd": "250",
                    "timezone": "Europe/Lisbon",
                    "created_at": "2024-12-01T00:00:00Z",
                }
            ],
            "feedback_events": [
                # f1 re-sent, created later: the new value wins
                feedback("f1", "m1", "u1", "2025-01-05T10:06:00Z", "thumbs", "👎", "wrong after all"),
                # f2 re-sent with the same created_at: the later ingest wins
                feedback("f2", "m2", "u2", "2025-01-06T11:05:00Z", "rating", "5"),
                # feedback about a message no usage event produced
                feedback("f3", "m99", "u9", "2025-02-01T09:00:00Z", "category", " Wrong Answer "),
            ],
        },
    ),
    (
        "2025-03-10T00:00:00Z",
        {
            "usage_events": [
                # late: happened in January, lands in March
                call(
                    "e07",
                    "2025-01-15T08:00:00Z",
                    "w1",
                    "u2",
                    "gpt-4o",
                    "0.005",
                    "c3",
                    "m7",
                    ["Late", "late "],
                ),
                call(
                    "e08",
                    "2025-03-05T16:00:00Z",
                    "w2",
                    "u5",
                    "claude-3-haiku",
                    "0.0042",
                    "c2",
                    "m8",
                    provider="anthropic",
                ),
            ],
            "users": [
                {"user_id": "u3", "workspace_id": "w2", "display_name": "Caio"},
                {"user_id": "u1", "workspace_id": "w1", "display_name": "Ana B."},
            ],
            "feedback_events": [
                feedback("f4", "m8", "u5", "2025-03-05T16:10:00Z", "thumbs", "TRUE"),
                feedback("f5", "m3", "u3", "2025-03-06T10:00:00Z", "rating", "7"),
                feedback("f6", "m99", "u9", "2025-03-06T11:00:00Z", "category", "wrong answer"),
            ],
        },
    ),
]


def load_batch(db: Path, ingested_at: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    for table, rows in tables.items():
        insert_raw(db, table, rows, ingested_at=ingested_at, load_id=f"{table}@{ingested_at}")


@pytest.fixture(scope="module")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All three loads landed, then one dbt build from scratch."""
    db = create_raw(tmp_path_factory.mktemp("full") / "build.duckdb")
    for ingested_at, tables in BATCHES:
        load_batch(db, ingested_at, tables)
    return run_dbt(db, "build")


def test_three_incremental_batches_equal_one_full_build(tmp_path: Path, full_build: Path) -> None:
    db = create_raw(tmp_path / "build.duckdb")
    for ingested_at, tables in BATCHES:
        load_batch(db, ingested_at, tables)
        run_dbt(db, "build")  # batch 1 builds from scratch, batches 2 and 3 run incrementally
    for table in CORE_TABLES:
        key = PRIMARY_KEYS[table]
        incremental = read_table(db, f"core.{table}", order_by=key)
        full = read_table(full_build, f"core.{table}", order_by=key)
        assert incremental.height > 0, table
        assert_frame_equal(incremental, full, check_exact=True)
    # the late event (January, ingested in March) is there
    assert query(
        db,
        "select event_id, provider_cost_usd from core.usage_logs where event_id in ('e01', 'e07') order by 1",
    ) == [("e01", Decimal("0.0125")), ("e07", Decimal("0.005"))]


def test_every_core_column_and_table_has_a_comment_in_duckdb(full_build: Path) -> None:
    columns = query(
        full_build,
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'core'",
    )
    assert {table for table, _, _ in columns} == set(CORE_TABLES)
    undocumented = [(table, column) for table, column, comment in columns if not (comment or "").strip()]
    assert undocumented == []
    tables = query(full_build, "select table_name, comment from duckdb_tables() where schema_name = 'core'")
    assert len(tables) == len(CORE_TABLES)
    assert all((comment or "").strip() for _, comment in tables)


def test_feedback_latest_version_wins_and_values_are_normalised(full_build: Path) -> None:
    rows = query(
        full_build,
        "select feedback_id, message_id, kind, feedback_value, score, category, is_value_valid, comment,"
        " version_count from core.message_feedbacks order by feedback_id",
    )
    assert rows == [
        # re-sent with a later created_at: 👎 wins over up -> 0
        ("f1", "m1", "thumbs", "👎", 0, None, True, "wrong after all", 2),
        # same created_at: the version ingested later (5) wins over 4
        ("f2", "m2", "rating", "5", 5, None, True, None, 2),
        ("f3", "m99", "category", "Wrong Answer", None, "Wrong Answer", True, None, 1),
        ("f4", "m8", "thumbs", "TRUE", 1, None, True, None, 1),
        # a 7-star rating is outside 1..5: kept, flagged invalid, no score
        ("f5", "m3", "rating", "7", None, None, False, None, 1),
        ("f6", "m99", "category", "wrong answer", None, "wrong answer", True, None, 1),
    ]
    # m99 is known only from feedback: kept as a feedback-only message so the foreign key holds
    assert query(full_build, "select message_id, calls from core.messages where is_feedback_only") == [("m99", 0)]


def test_tags_are_normalised_per_entity(full_build: Path) -> None:
    rows = query(full_build, "select entity_type, entity_id, tag from core.tags order by 1, 2, 3")
    assert rows == [
        ("message", "m99", "wrong answer"),  # ' Wrong Answer ' and 'wrong answer' on m99: one tag
        ("usage_log", "e01", "prod"),  # [' Prod', 'prod', 'Team-A', ''] -> prod, team-a
        ("usage_log", "e01", "team-a"),
        ("usage_log", "e02", "eval"),
        ("usage_log", "e04", "prod"),
        ("usage_log", "e07", "late"),
    ]


def test_dimensions_take_latest_snapshot_and_cover_event_only_entities(full_build: Path) -> None:
    workspaces = query(
        full_build,
        "select workspace_id, workspace_name, monthly_budget_usd, timezone, calls, has_snapshot"
        " from core.workspaces order by 1",
    )
    assert workspaces == [
        ("w1", "Acme Corp", Decimal("250.00"), "Europe/Lisbon", 4, True),
        ("w2", None, None, "UTC", 3, False),
        ("w3", None, None, "UTC", 1, False),
    ]
    users = query(full_build, "select user_id, workspace_id, display_name, calls from core.users order by 1")
    assert users == [
        ("u1", "w1", "Ana B.", 2),
        ("u2", "w1", None, 2),
        ("u3", "w2", "Caio", 2),
        ("u4", "w3", None, 1),
        ("u5", "w2", None, 1),
        ("u9", None, None, 0),  # gave feedback only
    ]
    conversation_llms = query(
        full_build,
        "select conversation_id, model, calls, cost_usd from core.conversation_llms order by 1, 2",
    )
    assert conversation_llms == [
        ("c1", "claude-3-haiku", 1, Decimal("0.0031")),
        ("c1", "gpt-4o", 2, Decimal("0.0325")),  # e01 0.0125 + e04 0.02
        ("c2", "claude-3-haiku", 1, Decimal("0.0042")),
        ("c2", "gpt-4o-mini", 2, Decimal("0.0017")),  # e03 0.0007 + e05 0.001
        ("c3", "gpt-4o", 1, Decimal("0.005")),
    ]


def test_copies_that_got_past_ingest_keep_the_first_ingested_version(tmp_path: Path) -> None:
    """dbt's own de-duplication (macros/usage.sql, first_ingested_calls), on a full build and on an incremental
    run: rows written straight into raw (ingest would have skipped the copies) with ids repeated across loads
    and within one load. Each id keeps the copy of the earliest ingest, then the earlier line; ids seen once
    pass untouched. Without data tests, because the staging unique test would (rightly) stop the build."""
    first = [
        call("d1", "2025-03-01T10:00:00Z", "w1", "u1", "gpt-4o", "0.1"),
        call("d2", "2025-03-01T11:00:00Z", "w1", "u1", "gpt-4o", "0.2"),
    ]
    second = [
        call("d1", "2025-03-01T10:00:00Z", "w1", "u1", "gpt-4o", "9.1"),  # a later load's copy: loses
        call("d3", "2025-03-02T10:00:00Z", "w1", "u1", "gpt-4o", "0.3"),  # line 2 of this load: wins
        call("d3", "2025-03-02T10:00:00Z", "w1", "u1", "gpt-4o", "9.3"),  # line 3: loses
        call("d4", "2025-03-02T11:00:00Z", "w1", "u1", "gpt-4o", "0.4"),
    ]
    expected = [("d1", Decimal("0.1")), ("d2", Decimal("0.2")), ("d3", Decimal("0.3")), ("d4", Decimal("0.4"))]
    usage = "select event_id, provider_cost_usd from core.usage_logs order by event_id"
    build = {"select": ["+usage_logs"], "extra": ["--exclude", "test_type:data", "resource_type:unit_test"]}

    full = create_raw(tmp_path / "full" / "build.duckdb")
    insert_raw(full, "usage_events", first, ingested_at="2025-03-01T12:00:00Z", load_id="load-1")
    insert_raw(full, "usage_events", second, ingested_at="2025-03-02T12:00:00Z", load_id="load-2")
    run_dbt(full, "build", **build)
    assert query(full, usage) == expected

    incremental = create_raw(tmp_path / "incremental" / "build.duckdb")
    insert_raw(incremental, "usage_events", first, ingested_at="2025-03-01T12:00:00Z", load_id="load-1")
    run_dbt(incremental, "build", **build)
    insert_raw(incremental, "usage_events", second, ingested_at="2025-03-02T12:00:00Z", load_id="load-2")
    run_dbt(incremental, "build", **build)
    assert query(incremental, usage) == expected
