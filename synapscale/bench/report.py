"""The benchmark's results as a Markdown section of docs/benchmarks.md: the machine, the versions, each figure,
and the dbt nodes that took longest. Each event count has its own section between markers, replaced when that
count is measured again; the rest of the page (the analysis) is left as written."""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from synapscale.bench.dbt_timings import BuildTimings, NodeTiming

GIB = 2**30
MB = 1e6
Results = dict[str, Any]


def machine() -> dict[str, str]:
    """CPU model, cores this process may use, RAM, and the versions that matter."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    memory_kib = next(int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal"))
    versions = {name: metadata.version(name) for name in ("duckdb", "dbt-core", "dbt-duckdb", "polars")}
    cores = str(len(os.sched_getaffinity(0)))
    return {"cpu": cpu, "cores": cores, "ram": f"{memory_kib / 2**20:.0f} GiB", "python": platform.python_version()} | (
        versions
    )


def _lines(path: str) -> list[str]:
    return Path(path).read_text().splitlines()


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 = p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def timings(run: Results) -> BuildTimings:
    dbt = run["dbt"]
    return BuildTimings(dbt["elapsed_seconds"], tuple(NodeTiming(*node) for node in dbt["nodes"]))


def _dbt_split(run: Results) -> str:
    build = timings(run)
    counts, by_kind = build.count_by_kind(), build.seconds_by_kind()
    parts = [f"{kind.replace('_', ' ')}s {seconds:.1f} s ({counts.get(kind, 0)})" for kind, seconds in by_kind.items()]
    overhead = run["steps"].get("dbt", 0.0) - sum(by_kind.values())
    return ", ".join(parts) + f"; dbt start-up, parse and between nodes {overhead:.1f} s"


def _run_row(label: str, run: Results, full_seconds: float | None = None) -> str:
    detail = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run["steps"].items())
    if full_seconds:
        detail += f"; **{100 * run['seconds'] / full_seconds:.0f} %** of the full run"
    return f"| {label} | {run['seconds']:.1f} s | {detail} |"


def _nodes_table(title: str, nodes: list[NodeTiming], total: float) -> list[str]:
    rows = ["", title, "", "| node | seconds | share of the node time |", "| --- | ---: | ---: |"]
    return rows + [f"| `{n.name}` | {n.seconds:.2f} | {100 * n.seconds / total:.0f} % |" for n in nodes]


def _header(results: Results, info: dict[str, str]) -> str:
    config = results["config"]
    load_start, load_end = results["load_average_start"][0], results["load_average_end"][0]
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpu']}, {info['cores']} cores, {info['ram']} "
        f"RAM; Python {info['python']}, DuckDB {info['duckdb']}, dbt-core {info['dbt-core']}, dbt-duckdb "
        f"{info['dbt-duckdb']}, polars {info['polars']}. Load average at start / end: {load_start:.1f} / "
        f"{load_end:.1f}. Data set: {config['days']} days, {config['workspaces']} workspaces, {config['users']} "
        f"users, seed {config['seed']}, {config['file_format']} ({results['landing_bytes'] / MB:,.0f} MB landed)."
    )


def _bare_row(results: Results) -> str:
    bare, full = results["bare"], results["full"]
    same = not (bare.get("only_in_pipeline") or bare.get("only_in_bare"))
    return (
        f"| bare lower bound (bare.sql) | {bare['seconds']:.1f} s | pipeline / bare = "
        f"**{full['seconds'] / bare['seconds']:.1f}×**; its daily calls and spend per workspace × model "
        f"{'equal' if same else 'DIFFER FROM'} the pipeline's ({bare.get('check_rows', 0):,} rows) |"
    )


def _dashboard_rows(results: Results) -> list[str]:
    """One row per page: p50 and p95 of its whole loads (the page's data functions, shell included)."""
    return [
        f"| dashboard page: {page} | p50 {1000 * statistics.median(loads['page']):.0f} ms, p95 "
        f"{1000 * percentile(loads['page'], 0.95):.0f} ms | {len(loads['page'])} loads, default view |"
        for page, loads in results["dashboard"].items()
    ]


def _storage_rows(results: Results) -> list[str]:
    full, sizes, after = results["full"], results["sizes"], results["sizes_after"]
    peak = max(results[key]["peak_rss_bytes"] for key in ("full", "incremental", "nothing_new"))
    return [
        f"| publish | {full['steps'].get('publish', 0.0):.1f} s | serve file {sizes['serve_bytes'] / MB:,.0f} MB; "
        f"build file {sizes['build_bytes'] / MB:,.0f} MB, raw files {sizes['raw_files_bytes'] / MB:,.0f} MB |",
        f"| peak memory of the job (RSS summed over its process tree) | {peak / GIB:.2f} GiB | largest single "
        f"process {results['largest_process_rss_bytes'] / GIB:.2f} GiB; the bare script's tree "
        f"{results['bare']['peak_rss_bytes'] / GIB:.2f} GiB |",
        f"| serve file after the incremental runs | {after['serve_bytes'] / MB:,.0f} MB | build file "
        f"{after['build_bytes'] / MB:,.0f} MB |",
    ]


def section(results: Results, info: dict[str, str]) -> str:
    """The Markdown section for one benchmark."""
    events, full = results["events"], results["full"]
    ingest_seconds, batch = full["steps"].get("ingest", 0.0), results["batch_events"]
    lines = [
        f"### {events:,} events",
        "",
        _header(results, info),
        "",
        "| figure | value | detail |",
        "| --- | ---: | --- |",
        _run_row("`synapscale run`, fresh warehouse (ingest + dbt build + publish)", full),
        f"| ingest | {events / max(ingest_seconds, 1e-9):,.0f} events/s | {ingest_seconds:.1f} s |",
        f"| dbt build | {full['steps'].get('dbt', 0.0):.1f} s | {_dbt_split(full)} |",
        *_storage_rows(results)[:1],
        _bare_row(results),
        _run_row(f"`synapscale run` after +{batch:,} events (a tenth late)", results["incremental"], full["seconds"]),
        _run_row("`synapscale run`, nothing new", results["nothing_new"], full["seconds"]),
        *_dashboard_rows(results),
        *_storage_rows(results)[1:],
    ]
    build = timings(full)
    total = sum(build.seconds_by_kind().values())
    lines += _nodes_table("Slowest models of the full build:", build.slowest("model"), total)
    lines += _nodes_table("Slowest tests of the full build:", build.slowest("test"), total)
    incremental = timings(results["incremental"])
    lines += _nodes_table("Slowest models of the incremental run:", incremental.slowest("model", 5), total)
    lines += _nodes_table("Slowest tests of the incremental run:", incremental.slowest("test", 5), total)
    return "\n".join(lines) + "\n"


def write_section(report: Path, events: int, text: str) -> None:
    """Put `text` between this event count's markers in `report`, replacing what was there, else append it."""
    begin, end = f"<!-- bench events={events} begin -->", f"<!-- bench events={events} end -->"
    block = f"{begin}\n{text}{end}\n"
    current = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        current = current.rstrip("\n") + "\n\n" + block
    report.write_text(current, encoding="utf-8")
