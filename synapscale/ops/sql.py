"""`synapscale sql`: read-only SQL on the serve file for analysts.

Interactive: DuckDB's own shell (`duckdb -readonly serve.duckdb`) when it is on PATH, else a small REPL
here. The REPL (and `-c`) runs each input on a fresh in-memory connection that ATTACHes the serve file
READ_ONLY, like the dashboard (app/data.py): every statement sees the latest publication, and nothing it does
can block a scheduled run or change the published data.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import duckdb

PROMPT, CONTINUE = "serve> ", "  ...> "
HELP = """Statements end with ';' (several lines are fine). Each input runs on a fresh read-only connection to
the latest published serve file, so settings (SET ...) do not carry over between inputs.
  .tables   list the tables and views (schemas core, marts, raw, ops, meta)
  .help     this text
  .quit     leave (or Ctrl-D)
Example: select workspace_id, billing_period, total_usd from marts.invoices order by all;"""


def connect(serve_db: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the serve file attached read-only as the default catalog."""
    if not serve_db.exists():
        raise FileNotFoundError(f"no published warehouse at {serve_db}: run `synapscale run` first")
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    escaped = str(serve_db).replace("'", "''")
    con.execute(f"attach '{escaped}' as serve (read_only)")
    con.execute("use serve")
    return con


def duckdb_shell_command(serve_db: Path) -> list[str] | None:
    """The DuckDB CLI on the serve file, read-only, when `duckdb` is on PATH."""
    found = shutil.which("duckdb")
    return [found, "-readonly", str(serve_db)] if found else None


def execute(serve_db: Path, text: str, out: TextIO, err: TextIO, as_csv: bool = False) -> bool:
    """Run the statements of `text` on one fresh connection, printing each result (a box table, long
    results elided in the middle as DuckDB does, or every row as CSV); False on an error (printed to `err`,
    the statements after it are not run)."""
    try:
        with connect(serve_db) as con:
            for statement in con.extract_statements(text):
                relation = con.sql(statement.query)
                if relation is None:
                    continue
                rendered = relation.pl().write_csv() if as_csv else str(relation)
                out.write(rendered.rstrip("\n") + "\n")
    except (duckdb.Error, FileNotFoundError) as error:
        print(f"Error: {error}", file=err)
        return False
    return True


def inputs(lines: Iterable[str], interactive: bool, out: TextIO) -> Iterable[str]:
    """Complete inputs from `lines`: a dot command, or statements up to a line ending with ';'."""
    buffer: list[str] = []
    if interactive:
        out.write(PROMPT)
        out.flush()
    for line in lines:
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            yield stripped
        elif stripped or buffer:
            buffer.append(line.rstrip("\n"))
            if stripped.endswith(";"):
                yield "\n".join(buffer)
                buffer = []
        if interactive:
            out.write(CONTINUE if buffer else PROMPT)
            out.flush()
    if buffer:
        yield "\n".join(buffer)


def repl(
    serve_db: Path,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    *,
    as_csv: bool = False,
) -> int:
    """The small REPL: errors are printed and the session goes on. Returns 0, or 1 when reading a script
    (not a terminal) and a statement failed."""
    interactive = stdin.isatty()
    if interactive:
        import readline  # noqa: F401 (line editing and history for input())

        out.write(f"synapscale sql: {serve_db} (read-only). .help for help, .quit to leave\n")
    failed = False
    for text in inputs(stdin, interactive, out):
        if text in (".quit", ".exit"):
            break
        if text == ".help":
            out.write(HELP + "\n")
        elif text == ".tables":
            execute(serve_db, "select schema, name from (show all tables) order by all;", out, err, as_csv=as_csv)
        elif text.startswith("."):
            print(f"Error: unknown command {text.split()[0]}; .help lists them", file=err)
        else:
            failed = not execute(serve_db, text, out, err, as_csv=as_csv) or failed
    if interactive:
        out.write("\n")
    return 1 if failed and not interactive else 0
