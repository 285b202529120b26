"""`synapscale` command line: the parser, and one module per command group (`run`, `publish`, `status`,
`sql`, `ingest`, `generate`, `billing`, `prices`, `export`, `alerts`, `bench`), each registering its subcommands
with the handler that does the work through library functions the tests call too.

Exit codes (docs/operations.md#exit-codes): 0 done/published, 1 a step failed, 2 bad arguments or usage,
75 another run holds the lock (nothing done, try later), 130 interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from synapscale.cli import alerts, bench, billing, export, generate, ingest, prices, publish, run, sql, status
from synapscale.cli.args import OneLineParser, subcommands
from synapscale.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_TEMPFAIL,
    EXIT_USAGE,
    RunInProgress,
    StepFailed,
    UserError,
)

COMMAND_GROUPS = (run, publish, status, sql, ingest, generate, billing, prices, export, alerts, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="synapscale", description="SynapScale Analytics warehouse.")
    commands = subcommands(parser, "command", "COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except RunInProgress as busy:
        print(f"synapscale: {busy}", file=sys.stderr)
        return EXIT_TEMPFAIL
    except StepFailed as failure:
        print(f"synapscale: {failure}", file=sys.stderr)
        return EXIT_FAILED
    except UserError as error:
        print(f"synapscale: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("synapscale: interrupted; nothing was published by this command", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
