"""Argument types and the parser class every command uses: bad arguments are one line and exit code 2."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn, TypeVar

from ingest.attribution import Attribution

N = TypeVar("N", int, float)


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line (what is wrong and where to look), exit code 2, nothing touched."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def existing_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {value}")
    return path


def existing_path(value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or directory: {value}")
    return path


def _number(value: str, parse: Callable[[str], N], kind: str, allowed: Callable[[N], bool], rule: str) -> N:
    """`value` parsed as `kind`, or an argument error saying it is not one or breaks `rule`."""
    try:
        number = parse(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {kind}: {value}") from None
    if not allowed(number):
        raise argparse.ArgumentTypeError(f"{rule}: {value}")
    return number


def positive_int(value: str) -> int:
    return _number(value, int, "a whole number", lambda number: number > 0, "must be greater than 0")


def rate(value: str) -> float:
    return _number(value, float, "a number", lambda number: 0.0 <= number < 1.0, "must be in [0, 1)")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


def add_attribution(parser: argparse.ArgumentParser) -> None:
    """--workspace / --user / --attribution: ids for records that carry none (docs/ingest.md#attribution)."""
    parser.add_argument("--workspace", help="workspace id for records that carry none (e.g. OTel or LiteLLM exports)")
    parser.add_argument("--user", help="user id for records that carry none")
    parser.add_argument(
        "--attribution",
        type=existing_path,
        metavar="FILE",
        help="TOML/JSON mapping of record attributes to workspace/user ids (docs/ingest.md#attribution)",
    )


def attribution(args: argparse.Namespace) -> Attribution:
    """The Attribution the --workspace / --user / --attribution arguments describe."""
    base = Attribution.load(args.attribution) if args.attribution else Attribution()
    return base.with_defaults(args.workspace, args.user)


def add_warehouse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse", type=Path, help="warehouse folder (default: $SYNAPSCALE_WAREHOUSE or ./warehouse)"
    )


def subcommands(parser: argparse.ArgumentParser, dest: str, metavar: str) -> argparse._SubParsersAction:
    return parser.add_subparsers(dest=dest, required=True, metavar=metavar, parser_class=OneLineParser)


def interrupt_on_sigterm() -> None:
    """Treat SIGTERM (systemd stopping the unit, `kill`) like Ctrl-C, so the run records how it ended and
    exits 130 instead of vanishing; and flush every line, so a log shows how far a killed run got."""
    import signal
    import sys

    def interrupt(signum: int, frame: object) -> None:
        del signum, frame
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
