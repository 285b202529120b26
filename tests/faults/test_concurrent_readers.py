"""Four reader processes query the serve file in a loop while three consecutive runs (each with new landing
files) ingest, build and publish: no reader ever errors, and every query sees one consistent publication
(within one connection its stamped row count is the table's, its run says 'published', every invoice equals
its usage cost rounded to cents) whose row count is the one expected, with polars, for that version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synapscale.generate import GeneratorConfig, write_dataset
from tests.faults.harness import check_serve, landing_events
from tests.support.cli import Published, synapscale
from tests.support.paths import PROJECT_DIR

READERS = 4
BATCHES = (
    ("batch1", ("workspaces.jsonl", "users.jsonl", "usage_2025-01.jsonl")),
    ("batch2", ("usage_2025-02.jsonl", "feedback.jsonl")),
    ("batch3", ("usage_2025-03.jsonl",)),
)
READER = """
import json, sys, time
from pathlib import Path
from tests.faults.harness import check_serve

serve, out, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
deadline = time.monotonic() + 900
with out.open("w") as log:
    while not stop.exists() and time.monotonic() < deadline:
        try:
            version, rows = check_serve(serve)
            log.write(json.dumps({"version": version, "rows": rows}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\\n")
        log.flush()
        time.sleep(0.5)  # plenty of queries per run, and the runs keep most of the two cores
"""


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batches")
    write_dataset(GeneratorConfig(events=3_000, days=90, workspaces=3, users=9, seed=21, file_format="jsonl"), folder)
    return folder


def test_readers_see_whole_publications_while_three_runs_publish(
    published: Published, batches: Path, tmp_path: Path
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(published.landing, landing)
    shutil.copytree(published.warehouse, warehouse)
    serve = warehouse / "serve.duckdb"
    base_version, base_rows = check_serve(serve)
    expected = {base_version: base_rows}
    stop = tmp_path / "stop"
    outputs = [tmp_path / f"reader-{number}.jsonl" for number in range(READERS)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serve), str(out), str(stop)],
            cwd=PROJECT_DIR,
            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        )
        for out in outputs
    ]
    try:
        rows = base_rows
        for number, (name, files) in enumerate(BATCHES, start=1):
            (landing / name).mkdir()
            for file in files:
                shutil.copy2(batches / file, landing / name / file)
            rows += landing_events(landing / name)["event_id"].n_unique() if any("usage" in f for f in files) else 0
            expected[base_version + number] = rows
            result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        time.sleep(1)  # every reader sees the last publication too
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
    for out in outputs:
        seen = [json.loads(line) for line in out.read_text().splitlines()]
        assert [s["error"] for s in seen if "error" in s] == []
        versions = [s["version"] for s in seen]
        assert versions == sorted(versions), "a reader went back to an older publication"
        assert set(versions) == set(expected), (out.name, sorted(set(versions)))
        assert all(expected[s["version"]] == s["rows"] for s in seen)
