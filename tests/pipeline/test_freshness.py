"""A run's source freshness is measured in the run's own process (results.measure_freshness) by the thresholds
dbt's sources declare: the same statuses, newest loads and ages as `dbt source freshness` itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from synapscale.pipeline.results import measure_freshness
from tests.support.cli import Published, private_copy
from tests.support.warehouse import run_dbt

NOW = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)


def _source(schema: str, table: str, loaded_at: str | None, warn: int | None, error: int | None, **rules: object):
    hours = lambda count: {"count": count, "period": "hour" if count is not None else None}  # noqa: E731
    return {
        f"source.p.{schema}.{table}": {
            "schema": schema,
            "identifier": table,
            "loaded_at_field": loaded_at,
            "freshness": {"warn_after": hours(warn), "error_after": hours(error), "filter": None, **rules},
        }
    }


def test_each_declared_source_is_measured_by_its_own_rule(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create schema raw")
    con.execute("create table raw.calls (ingested_at timestamptz, kind varchar)")
    con.execute("insert into raw.calls values ('2025-03-02 05:00:00+00', 'real'), ('2025-03-02 11:00:00+00', 'probe')")
    con.execute("create table raw.notes (ingested_at timestamp)")  # no time zone: UTC, as dbt reads it
    con.execute("insert into raw.notes values ('2025-02-28 12:00:00')")
    con.execute("create table raw.empty_feed (ingested_at timestamptz)")
    con.execute("create table raw.lookups (ingested_at timestamptz)")
    manifest = tmp_path / "manifest.json"
    sources = {
        **_source("raw", "calls", "ingested_at", 6, 24, filter="kind = 'real'"),  # 7 h old once the probe is left out
        **_source("raw", "notes", "ingested_at", 6, 24),  # 48 h
        **_source("raw", "empty_feed", "ingested_at", 6, 24),
        **_source("raw", "lookups", None, None, None),  # no rule: dbt does not check it
    }
    manifest.write_text(json.dumps({"sources": sources}))

    result = measure_freshness(con, manifest, NOW)

    assert result is not None
    assert [(s["table"], s["status"], s["max_loaded_at"], s["age_hours"]) for s in result.sources] == [
        ("calls", "warn", "2025-03-02T05:00:00+00:00", 7.0),
        ("empty_feed", "empty", None, None),
        ("notes", "error", "2025-02-28T12:00:00+00:00", 48.0),
    ]
    assert result.status == "error"
    assert measure_freshness(con, tmp_path / "missing.json", NOW) is None


def test_the_measure_agrees_with_dbt_source_freshness(published: Published, tmp_path: Path) -> None:
    _, warehouse = private_copy(published, tmp_path)
    build_db, work_dir = warehouse / "build.duckdb", warehouse / "dbt"
    with duckdb.connect(str(build_db)) as con:
        # the calls 10 h old (past their 6 h warning); one feedback 1 h old (within its 48 h)
        con.execute("update raw.usage_event_rows set ingested_at = ingested_at - interval 10 hours")
        con.execute(
            "insert into raw.feedback_events (feedback_id, load_id, source_file, source_line, ingested_at) "
            "values ('f1', 'l1', 'feedback.jsonl', 1, now() - interval 1 hour)"
        )
    run_dbt(build_db, "source", extra=["freshness"], work_dir=work_dir)  # warn is not a failure: exit 0
    by_dbt = json.loads((work_dir / "target" / "sources.json").read_text())["results"]
    snapshotted = datetime.fromisoformat(by_dbt[0]["snapshotted_at"])

    with duckdb.connect(str(build_db), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        ours = measure_freshness(con, work_dir / "target" / "manifest.json", snapshotted)

    assert ours is not None
    expected = {
        r["unique_id"].rsplit(".", 1)[-1]: (r["status"], datetime.fromisoformat(r["max_loaded_at"])) for r in by_dbt
    }
    measured = {s["table"]: (s["status"], datetime.fromisoformat(s["max_loaded_at"])) for s in ours.sources}
    assert measured == expected
    assert {status for status, _ in expected.values()} == {"pass", "warn"}  # both rules were exercised
    dbt_ages = {r["unique_id"].rsplit(".", 1)[-1]: r["max_loaded_at_time_ago_in_s"] / 3600 for r in by_dbt}
    assert all(abs(s["age_hours"] - dbt_ages[s["table"]]) < 1 / 3600 for s in ours.sources)  # within a second
