"""`synapscale export focus --month YYYY-MM --out FILE`: a billing month as a FinOps FOCUS 1.2 file."""

from __future__ import annotations

import argparse
from pathlib import Path

from synapscale import billing, settings
from synapscale.cli.args import add_warehouse, subcommands


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("export", help="export published marts as files")
    export_commands = subcommands(group, "export_command", "EXPORT_COMMAND")
    focus = export_commands.add_parser(
        "focus",
        help="one billing month of marts.focus_charges as a FOCUS 1.2 file (CSV or Parquet, by the file's suffix)",
    )
    focus.add_argument("--month", required=True, metavar="YYYY-MM", help="billing month to export")
    focus.add_argument("--out", required=True, type=Path, metavar="FILE", help="output file: *.csv or *.parquet")
    add_warehouse(focus)
    focus.set_defaults(handler=handle_focus)


def handle_focus(args: argparse.Namespace) -> int:
    from synapscale.focus_export import export_focus

    month = billing.parse_period(args.month)
    serve_db = settings.from_env(warehouse=args.warehouse).serve_db
    result = export_focus(serve_db, month, args.out)
    note = "" if result.rows else f" (nothing was billed in {month:%Y-%m})"
    print(
        f"wrote {result.rows} FOCUS rows for {month:%Y-%m} to {result.path}; BilledCost {result.billed_cost} USD" + note
    )
    return 0
