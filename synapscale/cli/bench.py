"""`synapscale bench`: the main job, the dashboard's queries and the bare lower bound, timed on generated data."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from synapscale.cli.args import positive_int
from synapscale.settings import PROJECT_DIR


def register(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser(
        "bench",
        help="time ingest, dbt build, publish, an incremental run, a run with nothing new and the dashboard's "
        "queries against the bare lower bound (docs/benchmarks.md)",
    )
    bench.add_argument("--events", type=positive_int, default=10_000_000, help="usage events (default 10M)")
    bench.add_argument("--days", type=positive_int, default=120)
    bench.add_argument("--workspaces", type=positive_int, default=60)
    bench.add_argument("--users", type=positive_int, default=1_200)
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--format", choices=("parquet", "jsonl"), default="parquet")
    bench.add_argument("--repeat", type=positive_int, default=20, help="loads of each dashboard page (default 20)")
    bench.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("SYNAPSCALE_BENCH_DIR", PROJECT_DIR / ".bench")),
        help="kept data sets, the run's warehouse and the raw results (default $SYNAPSCALE_BENCH_DIR or ./.bench)",
    )
    bench.add_argument(
        "--report",
        type=Path,
        default=PROJECT_DIR / "docs" / "benchmarks.md",
        help="Markdown file whose section for this event count is rewritten (default docs/benchmarks.md)",
    )
    bench.add_argument("--no-report", action="store_true", help="write only the raw results, not the report")
    bench.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from synapscale.bench.report import machine, section, write_section
    from synapscale.bench.suite import BenchOptions, run_bench
    from synapscale.generate import GeneratorConfig

    config = GeneratorConfig(
        events=args.events,
        days=args.days,
        workspaces=args.workspaces,
        users=args.users,
        seed=args.seed,
        file_format=args.format,
    )
    options = BenchOptions(config, args.workdir.resolve(), args.repeat)
    results = run_bench(options, show=lambda line: print(line, flush=True))
    text = section(results, machine())
    print(text)
    if not args.no_report:
        write_section(args.report, args.events, text)
        print(f"report section written to {args.report}")
    return 0
