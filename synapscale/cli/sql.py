"""`synapscale sql [-c SQL]`: read-only SQL on the published serve file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from synapscale import settings
from synapscale.cli.args import add_warehouse
from synapscale.errors import EXIT_FAILED, EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    sql = commands.add_parser(
        "sql",
        help="read-only SQL on the serve database (DuckDB's shell if on PATH, else a small REPL)",
    )
    add_warehouse(sql)
    sql.add_argument("-c", "--command", metavar="SQL", help="run these statements, print the results and exit")
    sql.add_argument("--csv", action="store_true", help="print results as CSV, every row (with -c or the REPL)")
    sql.add_argument("--python", action="store_true", help="use the built-in REPL even when duckdb is on PATH")
    sql.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from synapscale.ops import sql

    serve_db = _serve_db(args)
    if args.command is not None:
        ok = sql.execute(serve_db, args.command, sys.stdout, sys.stderr, as_csv=args.csv)
        return EXIT_OK if ok else EXIT_FAILED
    if not serve_db.exists():
        print(f"synapscale: no published warehouse at {serve_db}: run `synapscale run` first", file=sys.stderr)
        return EXIT_FAILED
    shell = None if (args.python or args.csv) else sql.duckdb_shell_command(serve_db)
    if shell is not None:
        os.execv(shell[0], shell)  # the DuckDB shell takes over this process (and the terminal)
    return sql.repl(serve_db, as_csv=args.csv)


def _serve_db(args: argparse.Namespace) -> Path:
    """--warehouse, else $SYNAPSCALE_SERVE_DB (as the dashboard reads it), else <warehouse>/serve.duckdb."""
    explicit = os.environ.get("SYNAPSCALE_SERVE_DB")
    if explicit and args.warehouse is None:
        return Path(explicit).resolve()
    return settings.from_env(warehouse=args.warehouse).serve_db
