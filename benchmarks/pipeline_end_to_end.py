"""Benchmark (not a test): the main job and the dashboard's queries on a synthetic data set.

    .venv/bin/python benchmarks/pipeline_end_to_end.py [--events 1000000] [--days 240]

Times each step of `synapscale run` (ingest, dbt build, publish) on a fresh warehouse, a second run with
nothing new, and the Overview page's queries against the published file (median of repeated runs).
Prints a Markdown table; README.md quotes the figures measured on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import data  # noqa: E402
from ingest.load import ingest_paths  # noqa: E402
from synapscale.generate import GeneratorConfig, write_dataset  # noqa: E402
from synapscale.pipeline.dbt import run_dbt
from synapscale.pipeline.publish import publish  # noqa: E402
from synapscale.settings import from_env  # noqa: E402


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def quiet(_: str) -> None:
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of each dashboard query")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="synapscale-bench-") as tmp:
        root = Path(tmp)
        settings = from_env(landing=root / "landing", warehouse=root / "warehouse")
        settings.warehouse_dir.mkdir(parents=True)
        config = GeneratorConfig(events=args.events, days=args.days, workspaces=24, users=360, seed=7)
        rows: list[tuple[str, float]] = []
        rows.append(("generate", timed(lambda: write_dataset(config, settings.landing_dir))))
        print(f"generated {args.events:,} events", file=sys.stderr)
        rows.append(("ingest", timed(lambda: ingest_paths(settings.build_db, [settings.landing_dir], progress=quiet))))
        rows.append(("dbt build (all models and tests)", timed(lambda: run_dbt(settings, ["build"], progress=quiet))))
        rows.append(("publish", timed(lambda: publish(settings.build_db, settings.serve_db, progress=quiet))))
        print("first run done", file=sys.stderr)

        def second_run() -> None:
            ingest_paths(settings.build_db, [settings.landing_dir], progress=quiet)
            run_dbt(settings, ["build"], progress=quiet)
            publish(settings.build_db, settings.serve_db, progress=quiet)

        rows.append(("second run, nothing new (ingest + dbt build + publish)", timed(second_run)))

        serve = data.current_serve(settings.serve_db)
        assert serve is not None
        bounds = data.snapshot.__wrapped__(serve).choices["utc"]
        filters = data.Filters(start=bounds.first_day, end=bounds.last_day)
        # Uncached, as on the first load after a publication; every page's figures: benchmarks/dashboard_queries.py
        queries: dict[str, Callable[[], object]] = {
            "dashboard shell (snapshot of the publication)": lambda: data.snapshot.__wrapped__(serve),
            "overview (whole range)": lambda: data.overview.__wrapped__(serve, filters),
        }
        query_rows = [
            (name, statistics.median(timed(query) for _ in range(args.repeat))) for name, query in queries.items()
        ]
        size_mb = settings.serve_db.stat().st_size / 1e6

    print(f"\n{args.events:,} usage events over {args.days} days; serve file {size_mb:.0f} MB\n")
    print("| step | seconds |\n| --- | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} |")
    print(f"\n| dashboard query (median of {args.repeat}) | milliseconds |\n| --- | ---: |")
    for name, seconds in query_rows:
        print(f"| {name} | {seconds * 1000:.0f} |")


if __name__ == "__main__":
    main()
