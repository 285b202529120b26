"""`synapscale prices import-litellm FILE`: merge a LiteLLM price catalog into the curated price seeds;
`synapscale prices litellm-fallback FILE --version V`: ship a LiteLLM catalog as the fallback price source."""

from __future__ import annotations

import argparse

from synapscale import settings
from synapscale.cli.args import existing_dir, existing_path, iso_date, subcommands


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("prices", help="price catalog tools")
    price_commands = subcommands(group, "prices_command", "PRICES_COMMAND")
    litellm = price_commands.add_parser("import-litellm", help="import a LiteLLM price catalog into the seeds")
    litellm.add_argument("file", type=existing_path, metavar="FILE")
    litellm.add_argument("--effective-from", type=iso_date, default=None, help="date the imported prices apply from")
    litellm.add_argument("--seeds-dir", type=existing_dir, default=None, help="seeds folder (default: ./seeds)")
    litellm.set_defaults(handler=handle_import_litellm)
    fallback = price_commands.add_parser(
        "litellm-fallback", help="ship a LiteLLM catalog as the fallback price source (seeds/litellm_prices.csv)"
    )
    fallback.add_argument("file", type=existing_path, metavar="FILE")
    fallback.add_argument("--version", required=True, help="the LiteLLM release the catalog comes from, e.g. 1.110.2")
    fallback.add_argument("--seeds-dir", type=existing_dir, default=None, help="seeds folder (default: ./seeds)")
    fallback.set_defaults(handler=handle_litellm_fallback)


def handle_import_litellm(args: argparse.Namespace) -> int:
    from synapscale.prices.litellm import import_litellm

    seeds_dir = args.seeds_dir or settings.from_env().project_dir / "seeds"
    import_litellm(args.file, seeds_dir, effective_from=args.effective_from)
    return 0


def handle_litellm_fallback(args: argparse.Namespace) -> int:
    from synapscale.prices.litellm_fallback import write_litellm_fallback

    seeds_dir = args.seeds_dir or settings.from_env().project_dir / "seeds"
    write_litellm_fallback(args.file, seeds_dir, args.version)
    return 0
