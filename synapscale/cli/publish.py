"""`synapscale publish`: publish the build file as the serve file, when its last dbt build passed."""

from __future__ import annotations

import argparse

from synapscale import settings
from synapscale.cli.args import add_warehouse, interrupt_on_sigterm


def register(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser(
        "publish",
        help="publish the build database (after a clean `dbt build` against it) as the serve database",
    )
    add_warehouse(publish)
    publish.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from synapscale.pipeline.run import publish_only

    interrupt_on_sigterm()
    return publish_only(settings.from_env(warehouse=args.warehouse))
