"""Upgrading over a warehouse an earlier version built (synapscale/pipeline/upgrade.py): an incremental table
whose columns the project no longer declares makes the run a full refresh, said and recorded; the ledger,
which a full refresh keeps, stops the run with what to do instead."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.pipeline.test_pipeline import EXPECTED_COST
from tests.support.cli import Published, private_copy, synapscale
from tests.support.warehouse import query


def _as_an_earlier_version_left_it(warehouse: Path, *statements: str) -> None:
    """The build file with the given column changes, and no build record (versions before it wrote none)."""
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        for statement in statements:
            con.execute(statement)
    (warehouse / "dbt" / "target" / "build_state.json").unlink(missing_ok=True)


def _run(landing: Path, warehouse: Path):
    return synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))


def test_an_incremental_table_with_other_columns_is_rebuilt_in_full(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    mix = "select * from marts.token_mix_daily order by token_mix_id"
    before = query(warehouse / "serve.duckdb", mix)
    _as_an_earlier_version_left_it(
        warehouse,
        "alter table marts.token_mix_daily drop column cache_write_1h_tokens",
        "alter table core.usage_logs add column retired_column varchar",
    )

    result = _run(landing, warehouse)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (
        "built by an earlier version with other columns: core.usage_logs (-retired_column); "
        "marts.token_mix_daily (+cache_write_1h_tokens)" in result.stdout
    )
    serve = warehouse / "serve.duckdb"
    assert query(serve, mix) == before
    columns = query(serve, "select column_name from information_schema.columns where table_name = 'usage_logs'")
    assert ("retired_column",) not in columns
    rows = query(serve, "select event_id, cost_usd, cost_status from core.usage_logs order by event_id")
    assert {event_id: (cost, status) for event_id, cost, status in rows} == EXPECTED_COST
    (mode,) = query(serve, "select build_mode from ops.run_history order by started_at desc limit 1")[0]
    assert mode == "full refresh"


def test_a_ledger_with_other_columns_stops_the_run_and_says_what_to_do(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    served = (warehouse / "serve.duckdb").read_bytes()
    _as_an_earlier_version_left_it(warehouse, "alter table core.billing_events add column retired_column varchar")

    result = _run(landing, warehouse)

    assert result.returncode == 1
    assert "core.billing_events (-retired_column) was built by an earlier version" in result.stderr
    assert "drop core.billing_events from the build file, then run synapscale run --full-refresh" in result.stderr
    assert (warehouse / "serve.duckdb").read_bytes() == served
