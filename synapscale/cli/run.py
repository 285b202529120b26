"""`synapscale run`: the main job (ingest, dbt build, publish)."""

from __future__ import annotations

import argparse
from pathlib import Path

from synapscale import settings
from synapscale.cli.args import add_attribution, attribution, existing_dir, interrupt_on_sigterm


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="ingest new landing files, dbt build, publish the serve database")
    run.add_argument("--landing", type=existing_dir, help="landing folder (default: $SYNAPSCALE_LANDING or ./landing)")
    run.add_argument("--warehouse", type=Path, help="warehouse folder (default: $SYNAPSCALE_WAREHOUSE or ./warehouse)")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    run.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="spark: build on local Apache Spark, read back into <warehouse>/spark/serve.duckdb (docs/spark.md)",
    )
    add_attribution(run)
    run.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from synapscale.pipeline.run import run

    interrupt_on_sigterm()
    cfg = settings.from_env(landing=args.landing, warehouse=args.warehouse, engine=args.engine)
    return run(cfg, full_refresh=args.full_refresh, attribution=attribution(args))
