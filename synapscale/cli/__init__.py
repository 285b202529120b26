"""`synapscale` command line: the parser, and one module per command group (`run`, `ingest`, `generate`,
`billing`, `prices`, `bench`), each registering its subcommands with the handler that does the work through library
functions the tests call too."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from synapscale.cli import bench, billing, generate, ingest, prices, run
from synapscale.cli.args import OneLineParser, subcommands
from synapscale.errors import UserError

COMMAND_GROUPS = (run, ingest, generate, billing, prices, bench)


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
    except UserError as error:
        print(f"synapscale: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("synapscale: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
