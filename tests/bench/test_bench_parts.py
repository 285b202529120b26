"""The benchmark's parts that need no dbt: step timing from the job's lines, run_results parsing, the report's
sections, the kept data sets, the bare script's results and the process-tree memory."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb
import polars as pl

from synapscale.bench import bare, datasets, dbt_timings
from synapscale.bench.processes import Finished, MemorySampler, run_child, tree_rss_bytes
from synapscale.bench.report import percentile, write_section
from synapscale.bench.suite import step_seconds
from synapscale.generate import GeneratorConfig, write_dataset


def test_steps_last_until_the_next_step_line() -> None:
    lines = [(0.5, "[1/3] ingest a → b"), (0.6, "x.jsonl: usage ..."), (2.0, "[2/3] dbt build"), (9.0, "[3/3] publish")]
    steps = step_seconds(Finished(0, 10.0, lines, 0))
    assert steps == {"start-up": 0.5, "ingest": 1.5, "dbt": 7.0, "publish": 1.0}
    assert step_seconds(Finished(0, 3.0, [(1.0, "no steps")], 0)) == {"whole run": 3.0}


def test_run_results_sum_per_kind_and_slowest_first(tmp_path: Path) -> None:
    results = {
        "elapsed_time": 9.5,
        "results": [
            {"unique_id": "model.synapscale.usage_logs", "execution_time": 4.0, "status": "success"},
            {"unique_id": "model.synapscale.llms", "execution_time": 0.5, "status": "success"},
            {"unique_id": "test.synapscale.unique_usage_logs_event_id.1a2b", "execution_time": 1.5, "status": "pass"},
            {"unique_id": "unit_test.synapscale.usage_logs.tier_rule", "execution_time": 2.0, "status": "pass"},
        ],
    }
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(results))
    timings = dbt_timings.read(path)
    assert timings.seconds_by_kind() == {"model": 4.5, "test": 1.5, "unit_test": 2.0}
    assert [n.name for n in timings.slowest("model")] == ["usage_logs", "llms"]
    assert timings.slowest("test")[0].name == "unique_usage_logs_event_id"


def test_report_sections_are_replaced_per_event_count(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\nThe analysis, written by hand.\n")
    write_section(report, 1_000, "### 1,000 events\nfirst\n")
    write_section(report, 5_000, "### 5,000 events\nother\n")
    write_section(report, 1_000, "### 1,000 events\nsecond\n")
    text = report.read_text()
    assert text.startswith("# Benchmarks\n\nThe analysis, written by hand.\n")
    assert "second" in text and "first" not in text and "other" in text
    assert text.count("<!-- bench events=1000 begin -->") == 1
    assert percentile([5.0, 1.0, 2.0, 4.0, 3.0], 0.5) == 3.0 and percentile([1.0, 2.0], 0.95) == 2.0


def test_data_sets_are_generated_once(tmp_path: Path) -> None:
    config = GeneratorConfig(events=2_000, days=10, workspaces=3, users=9)
    with MemorySampler() as sampler:
        folder, seconds = datasets.ensure(tmp_path, config, sampler, lambda _: None)
        (folder / "usage_2025-03.parquet").write_bytes(b"marker: not regenerated")
        again, kept_seconds = datasets.ensure(tmp_path, config, sampler, lambda _: None)
        batch, _ = datasets.ensure(tmp_path, datasets.batch_config(config), sampler, lambda _: None)
    assert seconds > 0 and again == folder and kept_seconds == 0.0
    assert (folder / "usage_2025-03.parquet").read_bytes() == b"marker: not regenerated"
    assert json.loads((folder / "dataset.json").read_text())["events"] == 2_000
    assert [p.name for p in datasets.data_files(batch)] == [
        "feedback_landed_2025-04-01.parquet",
        "usage_landed_2025-04-01.parquet",
    ]
    assert pl.read_parquet(batch / "usage_landed_2025-04-01.parquet").height == 20


def test_bare_script_prices_every_call_and_sums_them_per_day(tmp_path: Path) -> None:
    files = write_dataset(GeneratorConfig(events=5_000, days=20, workspaces=3, users=9), tmp_path / "landing")
    usage = [f for f in files if f.name.startswith("usage_")]
    script = tmp_path / "bare.sql"
    script.write_text(bare.render(usage, "parquet"))
    result = bare.run(script, tmp_path / "bare.duckdb", None)
    assert result["seconds"] > 0
    con = duckdb.connect(str(tmp_path / "bare.duckdb"), read_only=True)
    calls, priced, reported = con.execute(
        "select count(*), count(cost_usd), count(*) filter (where cost_usd = provider_cost_usd) from calls_priced"
    ).fetchall()[0]
    assert calls == 5_000 and 0 < reported < priced < calls  # unknown models stay unpriced
    per_call, per_day = con.execute(
        "select (select sum(cost_usd) from calls_priced), (select sum(cost_usd) from spend_daily)"
    ).fetchall()[0]
    assert per_call == per_day
    assert con.execute("select sum(calls) from latency_daily").fetchall()[0][0] == 5_000


def test_children_are_timed_line_by_line_and_their_memory_counted() -> None:
    assert tree_rss_bytes(os.getpid()) > 10 * 2**20
    script = "import time; print('one', flush=True); time.sleep(0.5); print('two')"
    seen: list[str] = []
    with MemorySampler() as sampler:
        finished = run_child([sys.executable, "-c", script], sampler, seen.append)
    assert finished.returncode == 0 and seen == ["one", "two"]
    assert finished.lines[1][0] - finished.lines[0][0] >= 0.4
    assert finished.peak_rss_bytes > tree_rss_bytes(os.getpid())  # this process and its child
