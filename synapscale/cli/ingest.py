"""`synapscale ingest PATH...`: load landing files into the raw schema without building anything."""

from __future__ import annotations

import argparse

from synapscale import settings
from synapscale.cli.args import add_attribution, add_warehouse, attribution, existing_path


def register(commands: argparse._SubParsersAction) -> None:
    ingest = commands.add_parser("ingest", help="load landing files (or folders) into the raw schema")
    ingest.add_argument("paths", nargs="+", type=existing_path, metavar="PATH")
    add_warehouse(ingest)
    ingest.add_argument(
        "--adapter",
        help="force an adapter instead of detecting it "
        "(otel, litellm, helicone, langfuse, azure_trace, openai_responses, anthropic, bedrock_converse, gemini, "
        "openai, canonical; see README.md#accepted-input-shapes)",
    )
    add_attribution(ingest)
    ingest.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ingest.load import ingest_paths

    build_db = settings.from_env(warehouse=args.warehouse).build_db
    report = ingest_paths(build_db, args.paths, adapter=args.adapter, attribution=attribution(args))
    return 0 if report.ok else 1
