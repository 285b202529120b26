"""Benchmark (not a test): every dashboard page's queries on a large published warehouse.

    .venv/bin/python benchmarks/dashboard_queries.py                     # 10M events (builds it: many minutes)
    .venv/bin/python benchmarks/dashboard_queries.py --events 1000000    # 1M events while developing
    .venv/bin/python benchmarks/dashboard_queries.py --warehouse DIR     # a warehouse already published

Builds the warehouse with the real CLI (`synapscale generate --events N --days 120 --workspaces 60`, then
`synapscale run`) into --work (reused when it already holds a publication of that size), then times each
page's data functions exactly as the page calls them but with the result cache bypassed: what a viewer
waits for with filters nobody asked for yet. Each figure is p50 / p95 over --repeat loads, for the default
view (the last 30 days of data, everything) and a filtered one (14 days, the three busiest workspaces, two
providers), and for the default view's queries as the first load after a publication: the publication's DuckDB
opened anew and warmed as the app warms it before switching viewers to it (app/data/publications.py; the warming
is timed on its own, nobody waits for it), then the page's queries run uncached (what a viewer who opens the new
publication on filters the warming did not compute waits for; the default view itself is a cache hit). The OS
page cache is warm, as on a running server. Page figures include the shell every page runs first (the
publication's snapshot: its marts, publication time, filter choices), shown alone on the first line, though the
app computes it once per publication (the warming does).
Prints a Markdown table; docs/dashboard.md quotes it.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from app import data  # noqa: E402
from app.data.page_loads import PAGES, Load, uncached, views  # noqa: E402
from app.data.publications import warm  # noqa: E402

# Bare mode (no Streamlit server): the caches warn on every call that there is no runtime.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

TARGET_MS = 300
# The marts the spend and what-if pages read, with their day column: their rows in the default view are printed.
WINDOW_MARTS = (
    ("cost_daily", "usage_date"),
    ("cost_daily_user_totals", "usage_date"),
    ("cost_daily_by_user", "usage_date"),
    ("cost_daily_local_by_model", "local_date"),
    ("cost_daily_local_user_totals", "local_date"),
    ("cost_daily_local", "local_date"),
    ("whatif_targets_daily", "usage_date"),
    ("whatif_repricing_daily", "usage_date"),
)


def build(work: Path, events: int, days: int, workspaces: int) -> Path:
    """The published serve file for this size, built with the real CLI unless --work already has it."""
    warehouse, landing = work / "warehouse", work / "landing"
    marker = work / f"built-{events}-{days}-{workspaces}"
    if marker.exists() and (warehouse / "serve.duckdb").exists():
        return warehouse
    cli = [sys.executable, "-m", "synapscale"]
    size = ["--events", str(events), "--days", str(days), "--workspaces", str(workspaces)]
    users = ["--users", str(workspaces * 40)]
    started = time.perf_counter()
    subprocess.run(
        [*cli, "generate", *size, *users, "--seed", "11", "--format", "parquet", "--out", str(landing)], check=True
    )
    print(f"generated {events:,} events in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run(
        [*cli, "run", "--landing", str(landing), "--warehouse", str(warehouse)], check=True, stdout=subprocess.DEVNULL
    )
    print(f"synapscale run in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    marker.touch()
    return warehouse


def percentiles(
    load: Load, serve: data.Serve, filters: data.Filters, repeat: int, first: bool = False
) -> tuple[float, float]:
    """p50 and p95 in ms. first: each load is the first after a publication (its database opened anew and
    warmed, as the app does before switching viewers to it; the warming is timed into WARMING); else the server
    has served this publication before."""
    load(serve, filters)  # the operating system's page cache holds the file, as on a running server
    times = []
    for _ in range(repeat):
        if first:
            data.source.release_databases()
            st.cache_data.clear()
            started = time.perf_counter()
            warm(serve)
            WARMING.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        load(serve, filters)
        times.append((time.perf_counter() - started) * 1000)
    return _p50_p95(times)


WARMING: list[float] = []  # ms to warm a new publication (in the background: no viewer waits for it)


def _p50_p95(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--workspaces", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warehouse", type=Path, help="use this published warehouse instead of building one")
    parser.add_argument("--work", type=Path, help="where to build (default: a folder per size in the temp dir)")
    args = parser.parse_args()

    if args.warehouse:
        warehouse = args.warehouse
    else:
        default_work = Path(os.environ.get("TMPDIR", "/tmp")) / f"synapscale-dashboard-bench-{args.events}"
        warehouse = build(args.work or default_work, args.events, args.days, args.workspaces)
    serve = data.current_serve(warehouse / "serve.duckdb")
    assert serve is not None, f"no serve.duckdb in {warehouse}"
    chosen = views(serve)
    rows = uncached(data.snapshot)(serve).publication.usage_log_rows or 0
    default = uncached(data.overview)(serve, chosen["default"])
    print(
        f"\n{rows:,} calls; serve file {Path(serve.path).stat().st_size / 1e6:.0f} MB; default view "
        f"{chosen['default'].start} to {chosen['default'].end} ({default.calls:,} calls); "
        f"p50 / p95 of {args.repeat} uncached loads, ms; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores (other work on the machine inflates every figure)\n"
    )
    window, counts = chosen["default"], []
    with data.connect(serve) as con:
        for mart, day in WINDOW_MARTS:
            if f"marts.{mart}" in data.catalog(serve):
                sql = f"select count(*) from marts.{mart} where {day} between ? and ?"
                counts.append(f"{mart} {con.execute(sql, [window.start, window.end]).fetchall()[0][0]:,}")
    print(f"rows in the default view: {'; '.join(counts)}\n")
    after_publish = "first load after a publication (warmed, uncached)"
    print(f"| page | default view | filtered view | {after_publish} | p95 under 300 ms |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, load in PAGES.items():
        runs = [(filters, False) for filters in chosen.values()] + [(chosen["default"], True)]
        cells, worst = [], 0.0
        for filters, first in runs:
            p50, p95 = percentiles(load, serve, filters, args.repeat, first)
            cells.append(f"{p50:.0f} / {p95:.0f}")
            worst = max(worst, p95)
        print(f"| {name} | {' | '.join(cells)} | {'yes' if worst < TARGET_MS else 'NO'} |", flush=True)
    warming = _p50_p95(WARMING)
    print(
        f"\nwarming a new publication before viewers are switched to it (in the background, nobody waits): "
        f"{warming[0]:.0f} / {warming[1]:.0f} ms p50 / p95 of {len(WARMING)}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
