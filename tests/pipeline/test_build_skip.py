"""A run with nothing new skips dbt build (synapscale/pipeline/state.py), and only then: new raw rows, an edited
project or a dbt invocation by hand in between make it build again."""

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
from tests.support.warehouse import copy_project, query

SKIPPED = "dbt build skipped: nothing new since build"
LEFT_OUT = "unit tests that passed on this project left out"
CLOCK = re.compile(r"\b(current_date|current_timestamp|now\s*\(|get_current_timestamp|run_started_at)", re.I)


def _run(landing: Path, warehouse: Path, project: Path | None = None) -> str:
    env = {"SYNAPSCALE_PROJECT_DIR": str(project)} if project else None
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse), env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def _last_run(warehouse: Path) -> tuple[str, str, str]:
    rows = query(
        warehouse / "serve.duckdb",
        "select build_mode, status, dbt_invocation_id from ops.run_history order by started_at desc limit 1",
    )
    return rows[0]


def _ran(warehouse: Path) -> set[str]:
    """The nodes the last dbt invocation ran."""
    results = json.loads((warehouse / "dbt" / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"] for result in results}


def _saved_parse(warehouse: Path) -> int:
    """When dbt last wrote its saved parse: a build that reuses it unchanged does not write it again."""
    return (warehouse / "dbt" / "target" / "partial_parse.msgpack").stat().st_mtime_ns


def test_nothing_new_skips_dbt_and_publishes_the_same_numbers(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    marts = "select * from marts.cost_daily order by cost_daily_id"
    before, (_, _, built) = query(warehouse / "serve.duckdb", marts), _last_run(warehouse)

    out = _run(landing, warehouse)

    assert f"{SKIPPED} {built}" in out
    assert "dbt | " not in out.split("[2/3]")[1].split("source freshness:")[0]  # no dbt build output
    assert _last_run(warehouse) == ("skipped", "published", built)
    assert query(warehouse / "serve.duckdb", marts) == before


def test_new_raw_rows_make_the_run_build(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:  # a month closed by hand: a raw row, no file
        con.execute("insert into raw.billing_period_closures values (date '2024-11-01', ?)", [datetime.now(UTC)])

    out = _run(landing, warehouse)

    assert SKIPPED not in out and _last_run(warehouse)[0] == "incremental"
    # the project is the one the first build tested: its unit tests and the call views' data tests stay out
    assert LEFT_OUT in out
    ran = _ran(warehouse)
    assert not any(node.startswith("unit_test.") for node in ran)
    assert "test.synapscale.unique_int_usage_priced_event_id" not in {node.rsplit(".", 1)[0] for node in ran}
    assert any(node.startswith("test.synapscale.unique_usage_logs_event_id") for node in ran)
    # and that build counts as a full one for `synapscale publish`
    published_again = synapscale("publish", "--warehouse", str(warehouse))
    assert published_again.returncode == 0, published_again.stderr
    assert SKIPPED in _run(landing, warehouse)  # and the run after it has nothing new again

    # The copy's first build parsed the project afresh (its build file path is new to dbt's saved parse); with
    # the project unchanged, the next build reuses that parse: no file parsed again.
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("insert into raw.billing_period_closures values (date '2024-12-01', ?)", [datetime.now(UTC)])
    saved = _saved_parse(warehouse)
    assert SKIPPED not in _run(landing, warehouse)
    assert _saved_parse(warehouse) == saved


def test_an_edited_project_makes_the_run_build(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    project = copy_project(tmp_path / "project")
    model = project / "models" / "marts" / "cost" / "cost_daily.sql"
    model.write_text(model.read_text() + "\n-- an edit\n")

    saved = _saved_parse(warehouse)
    out = _run(landing, warehouse, project)
    assert SKIPPED not in out and LEFT_OUT not in out  # a new project: its unit tests run
    ran = _ran(warehouse)
    assert any(node.startswith("unit_test.") for node in ran)
    # the call views' tests never run in a pipeline build: the core tables' same tests check the same rows
    assert not any(node.startswith("test.synapscale.unique_int_usage_priced_event_id") for node in ran)
    assert any(node.startswith("test.synapscale.unique_usage_logs_event_id") for node in ran)
    assert _saved_parse(warehouse) != saved  # and it is parsed again
    assert SKIPPED in _run(landing, warehouse, project)


def test_dbt_by_hand_in_between_makes_the_run_build(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    command, env = dbt_invocation(
        PROJECT_DIR, warehouse / "build.duckdb", warehouse / "dbt", ["run", "--select", "cost_daily"]
    )
    assert subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, check=False).returncode == 0

    assert SKIPPED not in _run(landing, warehouse)


def test_no_model_reads_the_clock() -> None:
    """The skip is sound only if the same project on the same raw data builds the same tables."""
    offending = [
        f"{path.relative_to(PROJECT_DIR)}: {match.group(0)}"
        for folder in ("models", "macros")
        for path in sorted((PROJECT_DIR / folder).rglob("*.sql"))
        for match in [CLOCK.search(path.read_text())]
        if match
    ]
    assert offending == []
