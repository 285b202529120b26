"""`synapscale billing close|status`: closing billing months."""

from __future__ import annotations

import argparse

from synapscale import billing, settings
from synapscale.cli.args import add_warehouse, subcommands


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("billing", help="billing periods")
    billing_commands = subcommands(group, "billing_command", "BILLING_COMMAND")
    close = billing_commands.add_parser("close", help="close a billing month (and every earlier one)")
    close.add_argument("period", metavar="YYYY-MM")
    add_warehouse(close)
    close.set_defaults(handler=handle_close)
    status = billing_commands.add_parser("status", help="print the last closed billing month")
    add_warehouse(status)
    status.set_defaults(handler=handle_status)


def handle_close(args: argparse.Namespace) -> int:
    from synapscale.pipeline.lock import run_lock

    cfg = settings.from_env(warehouse=args.warehouse)
    period = billing.parse_period(args.period)
    with run_lock(cfg.lock_file, "billing close"):
        billing.close_period(cfg.build_db, period)
    following = billing.next_month(period)
    print(f"closed {period:%Y-%m}: from the next run, late usage for it is billed in {following:%Y-%m}")
    return 0


def handle_status(args: argparse.Namespace) -> int:
    latest = billing.closed_period(settings.from_env(warehouse=args.warehouse).build_db)
    print(f"last closed billing period: {latest:%Y-%m}" if latest else "no billing period is closed")
    return 0
