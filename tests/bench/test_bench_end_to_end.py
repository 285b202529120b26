"""`synapscale bench` end to end on a tiny data set: every step runs, the bare script's daily spend equals the
pipeline's, and the report section holds every figure (behaviour only: no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import synapscale

pytestmark = pytest.mark.slow


def test_bench_runs_every_step_and_reports_it(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\nAnalysis.\n")
    args = ["--events", "3000", "--days", "10", "--workspaces", "3", "--users", "9", "--repeat", "2"]
    result = synapscale("bench", *args, "--workdir", str(tmp_path / "bench"), "--report", str(report))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "1/5 first run" in result.stdout and "5/5 a run with nothing new" in result.stdout
    results = json.loads((tmp_path / "bench" / "results" / "3000.json").read_text())
    assert results["bare"]["only_in_pipeline"] == 0 and results["bare"]["only_in_bare"] == 0
    assert set(results["full"]["steps"]) >= {"ingest", "dbt", "publish"}
    assert results["batch_events"] == 30
    assert {kind for _, kind, _, _ in results["full"]["dbt"]["nodes"]} >= {"model", "test", "seed"}
    text = report.read_text()
    assert text.startswith("# Benchmarks\n\nAnalysis.\n") and "<!-- bench events=3000 begin -->" in text
    figures = ("ingest", "dbt build", "publish", "bare lower bound", "nothing new", "dashboard page", "peak memory")
    for figure in figures:
        assert figure in text, figure
    assert "equal the pipeline's" in text
