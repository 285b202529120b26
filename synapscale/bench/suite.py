"""`synapscale bench`: the main job timed step by step on a generated data set, against the bare lower bound.

In one benchmark, on a fresh warehouse: (1) `synapscale run` on the data set (ingest, dbt build, publish: the
steps timed from the job's own step lines, dbt's models and tests from its run_results.json); (2) the dashboard's
page queries on the published file; (3) the bare lower bound (bare.sql) over the same landed usage files, its
daily spend checked against the pipeline's; (4) `synapscale run` after the next day's landing (1 % new events, a
tenth of them late) is added; (5) `synapscale run` with nothing new. Every step is a child process (the job as a
scheduler runs it), so the memory sampled is the job's tree. Results: `<workdir>/results/<events>.json` and a
section of the report (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from synapscale.bench import bare, datasets, dbt_timings
from synapscale.bench.processes import Finished, MemorySampler, Printer, largest_child_rss_bytes, run_child
from synapscale.errors import StepFailed
from synapscale.generate import GeneratorConfig
from synapscale.settings import PROJECT_DIR

STEP_LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+)")
# Lines of a quiet child worth showing: the job's steps and totals, and dbt's models as they finish and any failure.
SHOWN_LINE = re.compile(r"^(\[\d+/\d+\] |total:|done|published|synapscale:)|\d+ of \d+ (OK created|ERROR|FAIL|WARN)")


@dataclass(frozen=True)
class BenchOptions:
    config: GeneratorConfig
    workdir: Path
    repeat: int = 20  # loads of each dashboard page


def step_seconds(finished: Finished) -> dict[str, float]:
    """Seconds per step of a `synapscale run`, from its `[k/n] name` lines: each step lasts until the next one
    starts (the last one until the child exits); `start-up` is the time before the first step line."""
    marks = [(at, match.group(3)) for at, line in finished.lines if (match := STEP_LINE.match(line))]
    if not marks:
        return {"whole run": finished.seconds}
    ends = [at for at, _ in marks[1:]] + [finished.seconds]
    steps = {"start-up": marks[0][0]}
    for (at, name), end in zip(marks, ends, strict=True):
        steps[name] = steps.get(name, 0.0) + end - at
    return steps


class Bench:
    """One benchmark: its folders, the memory sampler and the progress printer."""

    def __init__(self, options: BenchOptions, show: Printer, sampler: MemorySampler) -> None:
        self.options, self.sampler = options, sampler
        self.started = time.perf_counter()
        self._show = show
        events = options.config.events
        self.run_dir = options.workdir / "runs" / str(events)
        self.landing, self.warehouse = self.run_dir / "landing", self.run_dir / "warehouse"
        self.results_dir = options.workdir / "results"

    def show(self, text: str) -> None:
        elapsed = time.perf_counter() - self.started
        self._show(f"[bench {int(elapsed // 60):02d}:{elapsed % 60:04.1f}] {text}")

    def child(self, label: str, command: list[str], quiet: bool = False) -> Finished:
        def echo(line: str) -> None:
            if not quiet or SHOWN_LINE.search(line):
                self.show(f"  {label} | {line}")

        finished = run_child(command, self.sampler, echo, cwd=PROJECT_DIR, env={**os.environ})
        if finished.returncode != 0:
            raise StepFailed(f"bench: {label}", f"exit code {finished.returncode}:\n{finished.text()[-3000:]}")
        return finished

    def pipeline_run(self, label: str) -> dict[str, object]:
        """`synapscale run` on the landing folder; its steps, memory and (when dbt ran) node timings."""
        command = [sys.executable, "-m", "synapscale", "run", "--landing", str(self.landing)]
        finished = self.child(label, command + ["--warehouse", str(self.warehouse)], quiet=True)
        run_results = self.warehouse / "dbt" / "target" / "run_results.json"
        skipped = any("dbt build skipped" in line for _, line in finished.lines)
        saved = self.results_dir / f"{self.options.config.events}-{label.replace(' ', '-')}-run_results.json"
        if skipped:  # nothing new: dbt did not run, the file is the previous build's
            timings = dbt_timings.BuildTimings(0.0, ())
        else:
            shutil.copyfile(run_results, saved)
            timings = dbt_timings.read(run_results)
        self.show(f"{label}: {finished.seconds:.1f} s, peak tree RSS {finished.peak_rss_bytes / 2**30:.2f} GiB")
        return {
            "seconds": finished.seconds,
            "steps": step_seconds(finished),
            "peak_rss_bytes": finished.peak_rss_bytes,
            "dbt": timings.as_json(),
            "dbt_skipped": skipped,
        }

    def json_child(self, label: str, command: list[str]) -> tuple[dict[str, object], Finished]:
        finished = self.child(label, command, quiet=True)
        return json.loads(finished.lines[-1][1]), finished


def _sizes(warehouse: Path) -> dict[str, int]:
    raw_files = warehouse / "raw_files"
    return {
        "serve_bytes": (warehouse / "serve.duckdb").stat().st_size,
        "build_bytes": (warehouse / "build.duckdb").stat().st_size,
        "raw_files_bytes": sum(p.stat().st_size for p in raw_files.rglob("*") if p.is_file()),
    }


def run_bench(options: BenchOptions, show: Printer) -> dict[str, object]:
    """Run the whole benchmark and return its results (also written to `<workdir>/results/<events>.json`)."""
    with MemorySampler() as sampler:
        bench = Bench(options, show, sampler)
        return _run(bench, options)


def _run(bench: Bench, options: BenchOptions) -> dict[str, object]:
    config = options.config
    cache = options.workdir / "datasets"
    base_dir, base_seconds = datasets.ensure(cache, config, bench.sampler, bench.show)
    batch_dir, batch_seconds = datasets.ensure(cache, datasets.batch_config(config), bench.sampler, bench.show)
    shutil.rmtree(bench.run_dir, ignore_errors=True)
    bench.results_dir.mkdir(parents=True, exist_ok=True)
    base_files = datasets.data_files(base_dir)
    datasets.link_into(base_files, bench.landing)
    results: dict[str, object] = {
        "config": {k: str(v) for k, v in config.__dict__.items()},
        "events": config.events,
        "batch_events": datasets.batch_config(config).events,
        "generate_seconds": {"data set": base_seconds, "batch": batch_seconds},
        "landing_bytes": sum(p.stat().st_size for p in base_files),
        "load_average_start": os.getloadavg(),
    }
    bench.show(f"1/5 first run: synapscale run on {config.events:,} events, fresh warehouse")
    results["full"] = bench.pipeline_run("full run")
    results["sizes"] = _sizes(bench.warehouse)
    serve = bench.warehouse / "serve.duckdb"
    bench.show(f"2/5 dashboard page queries ({options.repeat} loads per page)")
    dashboard = [sys.executable, "-m", "synapscale.bench.dashboard", str(serve), "--repeat", str(options.repeat)]
    results["dashboard"], _ = bench.json_child("dashboard", dashboard)
    bench.show("3/5 bare lower bound: bare.sql over the same landed usage files")
    script = bench.results_dir / f"{config.events}-bare.sql"
    usage_files = [p for p in base_files if p.name.startswith("usage_")]
    script.write_text(bare.render(usage_files, config.file_format), encoding="utf-8")
    bare_command = [sys.executable, "-m", "synapscale.bench.bare", str(script), str(bench.run_dir / "bare.duckdb")]
    results["bare"], finished = bench.json_child("bare", bare_command + ["--check", str(serve)])
    results["bare"]["peak_rss_bytes"] = finished.peak_rss_bytes  # type: ignore[index]
    (bench.run_dir / "bare.duckdb").unlink(missing_ok=True)
    bench.show("4/5 incremental run: the next day's landing added (1 % new events, a tenth of them late)")
    datasets.link_into(datasets.data_files(batch_dir), bench.landing / "batch-1")
    results["incremental"] = bench.pipeline_run("incremental run")
    bench.show("5/5 a run with nothing new")
    results["nothing_new"] = bench.pipeline_run("nothing new run")
    results["sizes_after"] = _sizes(bench.warehouse)
    results["peak_rss_bytes"] = bench.sampler.overall
    results["largest_process_rss_bytes"] = largest_child_rss_bytes()
    results["load_average_end"] = os.getloadavg()
    results["bench_seconds"] = time.perf_counter() - bench.started
    out = bench.results_dir / f"{config.events}.json"
    out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    bench.show(f"results in {out}")
    return results
