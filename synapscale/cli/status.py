"""`synapscale status`: last runs, freshness of the raw tables, and what to do next."""

from __future__ import annotations

import argparse

from synapscale import settings
from synapscale.cli.args import add_warehouse, positive_int
from synapscale.errors import EXIT_FAILED, EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser("status", help="last runs, how fresh the raw tables are, what to do next")
    add_warehouse(status)
    status.add_argument("--runs", type=positive_int, default=10, help="how many runs to list (default 10)")
    status.add_argument(
        "--check",
        action="store_true",
        help="exit 1 unless healthy (published, last finished run published, no table past its error threshold)",
    )
    status.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from synapscale.ops.render import render_report
    from synapscale.ops.status import gather

    report = gather(settings.from_env(warehouse=args.warehouse), runs=args.runs)
    print(render_report(report))
    if args.check and not report.healthy():
        return EXIT_FAILED
    return EXIT_OK
