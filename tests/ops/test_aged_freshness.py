"""A skipped build's source freshness: the last recorded result aged to now, as dbt would compute it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from synapscale.pipeline.results import aged_freshness

NOW = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)


def _source(table: str, status: str, loaded_hours_ago: float | None) -> dict[str, object]:
    loaded = None if loaded_hours_ago is None else (NOW - timedelta(hours=loaded_hours_ago)).isoformat()
    return {
        "table": table,
        "status": status,
        "max_loaded_at": loaded,
        "age_hours": 0.1,
        "warn_after_hours": 6.0,
        "error_after_hours": 24.0,
    }


def test_only_the_ages_move() -> None:
    recorded = [
        _source("usage_events", "pass", 7.0),
        _source("feedback_events", "pass", 2.0),
        _source("workspaces", "warn", 30.0),
        _source("users", "empty", None),
    ]
    aged = aged_freshness(json.dumps(recorded), NOW)
    assert aged is not None
    assert [(s["table"], s["status"]) for s in aged.sources] == [
        ("usage_events", "warn"),  # 7 h > 6 h
        ("feedback_events", "pass"),
        ("workspaces", "error"),  # 30 h > 24 h
        ("users", "empty"),
    ]
    assert aged.sources[0]["age_hours"] == 7.0
    assert aged.status == "error"


def test_no_usable_record_means_it_is_measured() -> None:
    assert aged_freshness(None, NOW) is None
    assert aged_freshness("not json", NOW) is None
    assert aged_freshness(json.dumps([_source("usage_events", "runtime error", 1.0)]), NOW) is None
