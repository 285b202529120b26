"""`synapscale run` end to end: ingest → dbt build → publish, from a small landing fixture.

Every expected figure is worked out by hand from public list prices in force in January 2025 (USD per 1M
tokens), not read back from the SQL.
"""

from __future__ import annotations

import fcntl
import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from tests.support.cli import Published, private_copy, synapscale
from tests.support.warehouse import copy_project, query

EXPECTED_COST = {
    # gpt-4o-mini: 800k uncached × 0.15 + 200k cache read × 0.075 + 500k output × 0.60
    "evt-0001": (Decimal("0.435"), "computed"),
    # claude-3-haiku (dated name resolves): 2M × 0.25 + 1M × 1.25
    "evt-0002": (Decimal("1.75"), "computed"),
    # gpt-4o after the October 2024 cut: 1M × 2.50 + 200k × 10
    "evt-0003": (Decimal("4.50"), "computed"),
    # the provider's own figure wins over the computed one
    "evt-0004": (Decimal("1.25"), "provider_reported"),
    # unknown model: no cost, never 0
    "evt-0005": (None, "unpriced"),
    # gemini-1.5-flash, prompt above 128k: the long-context tier prices the whole call: 200k × 0.15 + 10k × 0.60
    "evt-0006": (Decimal("0.036"), "computed"),
    # a failed call still billed for its prompt: 100k × 0.15
    "evt-0007": (Decimal("0.015"), "computed"),
}
# evt-0002 happened at 22:30 in São Paulo (UTC-3) on 2025-01-10, which is 01:30 UTC on 2025-01-11.
EXPECTED_DAILY = {
    date(2025, 1, 10): Decimal("0.435"),
    date(2025, 1, 11): Decimal("1.75") + Decimal("4.50") + Decimal("1.25"),
    date(2025, 1, 12): Decimal("0.036") + Decimal("0.015"),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_publishes_every_call_priced_as_worked_out_by_hand(published: Published) -> None:
    rows = query(published.serve_db, "select event_id, cost_usd, cost_status from core.usage_logs order by event_id")
    assert {event_id: (cost, status) for event_id, cost, status in rows} == EXPECTED_COST


def test_daily_spend_mart_sums_calls_by_utc_day(published: Published) -> None:
    rows = query(published.serve_db, "select usage_date, sum(cost_usd) from marts.cost_daily group by 1 order by 1")
    assert dict(rows) == EXPECTED_DAILY
    by_model = dict(query(published.serve_db, "select model, sum(calls) from marts.cost_daily group by 1 order by 1"))
    assert by_model == {
        "claude-3-haiku": 1,
        "gemini-1.5-flash": 1,
        "gpt-4o": 2,
        "gpt-4o-mini": 2,
        "unresolved:mystery-model-x": 1,
    }


def test_run_reports_its_steps(published: Published) -> None:
    out = published.first_run.stdout
    assert "[1/3] ingest" in out and "[2/3] dbt build" in out and "[3/3] publish" in out
    assert "published" in out


def test_second_run_ingests_nothing_and_publishes_identical_numbers(published: Published, tmp_path: Path) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    snapshot = "select * from marts.cost_daily order by cost_daily_id"
    before = query(warehouse / "serve.duckdb", snapshot)

    again = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))

    assert again.returncode == 0, again.stderr
    assert "read 0, loaded 0, duplicates skipped 0, quarantined 0" in again.stdout, again.stdout
    assert query(warehouse / "build.duckdb", "select count(*) from raw.usage_events") == [(len(EXPECTED_COST),)]
    assert query(warehouse / "serve.duckdb", snapshot) == before


def test_failing_build_publishes_nothing_and_names_the_step(published: Published, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "tests" / "dbt").mkdir(parents=True, exist_ok=True)
    (project / "tests" / "dbt" / "assert_this_always_fails.sql").write_text("select 1 as offending_row\n")
    landing, warehouse = private_copy(published, tmp_path)
    serve_before = digest(warehouse / "serve.duckdb")

    result = synapscale(
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        env={"SYNAPSCALE_PROJECT_DIR": str(project)},
    )

    assert result.returncode == 1
    assert "dbt build failed" in result.stderr
    assert "assert_this_always_fails" in result.stderr
    assert digest(warehouse / "serve.duckdb") == serve_before
    assert not list(warehouse.glob(".serve.duckdb.*.tmp"))


def test_wrong_arguments_fail_fast_with_one_line_and_touch_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "never-created"
    cases = [
        ("run", "--landing", "/no/such/dir", "--warehouse", str(warehouse)),
        ("run", "--warehouse", str(warehouse), "--no-such-flag"),
        ("generate", "--events", "0", "--out", str(warehouse)),
        ("ingest", "/no/such/file.jsonl", "--warehouse", str(warehouse)),
        ("prices", "import-litellm", "/no/such/catalog.json"),
    ]
    for args in cases:
        result = synapscale(*args)
        assert result.returncode == 2, args
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("synapscale"), (args, result.stderr)
    assert not warehouse.exists()


def test_a_second_run_while_one_holds_the_lock_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    landing = tmp_path / "landing"
    landing.mkdir()
    with open(warehouse / ".run.lock", "w") as held:
        held.write("4242")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 75  # EX_TEMPFAIL: not a failure, try later
    assert "another synapscale run is in progress" in result.stderr
    assert not (warehouse / "build.duckdb").exists()


def test_closing_a_period_makes_late_usage_an_adjustment_in_the_next_month(
    published: Published, tmp_path: Path
) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    invoices = "select workspace_id, billing_period, total_usd from marts.invoices order by all"
    january_before = [row for row in query(warehouse / "serve.duckdb", invoices) if row[1] == date(2025, 1, 1)]

    closed = synapscale("billing", "close", "2025-01", "--warehouse", str(warehouse))
    assert closed.returncode == 0, closed.stderr
    assert synapscale("billing", "status", "--warehouse", str(warehouse)).stdout.strip().endswith("2025-01")
    # A call from 20 January lands after January was closed: gpt-4o-mini, 100k × 0.15 + 10k × 0.60 per 1M.
    (landing / "late.jsonl").write_text(
        '{"event_id": "evt-late", "occurred_at": "2025-01-20T10:00:00Z", "workspace_id": "ws-acme", '
        '"user_id": "usr-ana", "provider": "openai", "model": "gpt-4o-mini", "input_tokens": 100000, '
        '"output_tokens": 10000}\n'
    )
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    assert "billing periods up to 2025-01 are closed" in result.stdout

    serve = warehouse / "serve.duckdb"
    assert query(
        serve, "select event_type, billing_period, amount_usd from core.billing_events where event_id = 'evt-late'"
    ) == [("adjustment", date(2025, 2, 1), Decimal("0.021"))]
    assert [row for row in query(serve, invoices) if row[1] == date(2025, 1, 1)] == january_before
    assert query(serve, "select sum(cost_usd) from marts.cost_daily where usage_date = '2025-01-20'") == [
        (Decimal("0.021"),)
    ]
    refused = synapscale("billing", "close", "2024-12", "--warehouse", str(warehouse))
    assert refused.returncode == 2 and "already closed" in refused.stderr


def test_a_reader_holding_the_serve_file_neither_blocks_a_run_nor_sees_a_half_published_file(
    published: Published, tmp_path: Path
) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    (landing / "more.jsonl").write_text(
        '{"event_id": "evt-more", "occurred_at": "2025-01-13T10:00:00Z", "workspace_id": "ws-acme", '
        '"user_id": "usr-ana", "provider": "openai", "model": "gpt-4o", "input_tokens": 400000, '
        '"output_tokens": 100000}\n'
    )
    spend = "select sum(cost_usd) from marts.cost_daily"
    before = sum(cost for cost, _ in EXPECTED_COST.values() if cost is not None)
    # A dashboard or analyst session is open on the serve file for the whole run.
    with duckdb.connect(str(warehouse / "serve.duckdb"), read_only=True) as reader:
        result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
        assert result.returncode == 0, result.stderr
        assert reader.sql(spend).fetchall() == [(before,)]  # the old, complete publication
    # gpt-4o in January 2025: 400k × 2.50 + 100k × 10 per 1M = 2.00
    assert query(warehouse / "serve.duckdb", spend) == [(before + Decimal("2.00"),)]
