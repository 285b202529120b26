"""`synapscale` command line: argument parsing only; the work is done by library functions tests call too."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from ingest import settings as settings_module
from ingest.attribution import Attribution
from ingest.errors import UserError


def _existing_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {value}")
    return path


def _existing_path(value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or directory: {value}")
    return path


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {value}")
    return number


def _rate(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value}") from None
    if not 0.0 <= number < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1): {value}")
    return number


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line (what is wrong and where to look), exit code 2, nothing touched."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="synapscale", description="SynapScale Analytics warehouse.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)

    run = commands.add_parser("run", help="ingest new landing files, dbt build, publish the serve database")
    run.add_argument("--landing", type=_existing_dir, help="landing folder (default: $SYNAPSCALE_LANDING or ./landing)")
    run.add_argument("--warehouse", type=Path, help="warehouse folder (default: $SYNAPSCALE_WAREHOUSE or ./warehouse)")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    _add_attribution_arguments(run)

    ingest = commands.add_parser("ingest", help="load landing files (or folders) into the raw schema")
    ingest.add_argument("paths", nargs="+", type=_existing_path, metavar="PATH")
    ingest.add_argument("--warehouse", type=Path, help="warehouse folder (the build database lives there)")
    ingest.add_argument(
        "--adapter",
        help="force an adapter instead of detecting it "
        "(otel, litellm, helicone, langfuse, azure_trace, openai_responses, anthropic, bedrock_converse, gemini, "
        "openai, canonical; see docs/ingest.md#accepted-input-shapes)",
    )
    _add_attribution_arguments(ingest)

    generate = commands.add_parser("generate", help="write a deterministic synthetic landing data set")
    generate.add_argument("--events", type=_positive_int, default=200_000)
    generate.add_argument(
        "--days",
        type=_positive_int,
        default=240,
        help="days of data (default 240: spans the 2024-10 to 2025-02 price changes)",
    )
    generate.add_argument("--workspaces", type=_positive_int, default=24)
    generate.add_argument("--users", type=_positive_int, default=360)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--end", type=_date, default=None, help="last day of data (default: 2025-03-31)")
    generate.add_argument("--bad-rate", type=_rate, default=0.0, help="share of corrupted records")
    generate.add_argument("--duplicate-rate", type=_rate, default=0.0, help="share of re-sent records")
    generate.add_argument("--late-rate", type=_rate, default=0.0, help="share of records landing days late")
    generate.add_argument("--format", choices=("jsonl", "parquet"), default="parquet")
    generate.add_argument("--out", type=Path, required=True, help="output folder")

    billing = commands.add_parser("billing", help="billing periods")
    billing_commands = billing.add_subparsers(
        dest="billing_command", required=True, metavar="BILLING_COMMAND", parser_class=OneLineParser
    )
    close = billing_commands.add_parser("close", help="close a billing month (and every earlier one)")
    close.add_argument("period", metavar="YYYY-MM")
    close.add_argument("--warehouse", type=Path, help="warehouse folder")
    status = billing_commands.add_parser("status", help="print the last closed billing month")
    status.add_argument("--warehouse", type=Path, help="warehouse folder")

    prices = commands.add_parser("prices", help="price catalog tools")
    price_commands = prices.add_subparsers(
        dest="prices_command", required=True, metavar="PRICES_COMMAND", parser_class=OneLineParser
    )
    litellm = price_commands.add_parser("import-litellm", help="import a LiteLLM price catalog into the seeds")
    litellm.add_argument("file", type=_existing_path, metavar="FILE")
    litellm.add_argument("--effective-from", type=_date, default=None, help="date the imported prices apply from")
    litellm.add_argument("--seeds-dir", type=_existing_dir, default=None, help="seeds folder (default: ./seeds)")
    return parser


def _add_attribution_arguments(parser: argparse.ArgumentParser) -> None:
    """--workspace / --user / --attribution: ids for records that carry none (docs/ingest.md#attribution)."""
    parser.add_argument("--workspace", help="workspace id for records that carry none (e.g. OTel or LiteLLM exports)")
    parser.add_argument("--user", help="user id for records that carry none")
    parser.add_argument(
        "--attribution",
        type=_existing_path,
        metavar="FILE",
        help="TOML/JSON mapping of record attributes to workspace/user ids (docs/ingest.md#attribution)",
    )


def _attribution(args: argparse.Namespace) -> Attribution:
    base = Attribution.load(args.attribution) if args.attribution else Attribution()
    return base.with_defaults(args.workspace, args.user)


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        from ingest.pipeline import run

        cfg = settings_module.from_env(landing=args.landing, warehouse=args.warehouse)
        return run(cfg, full_refresh=args.full_refresh, attribution=_attribution(args))
    if args.command == "ingest":
        from ingest.load import ingest_paths

        cfg = settings_module.from_env(warehouse=args.warehouse)
        report = ingest_paths(cfg.build_db, args.paths, adapter=args.adapter, attribution=_attribution(args))
        return 0 if report.ok else 1
    if args.command == "generate":
        from ingest.generate import GeneratorConfig, write_dataset

        config = GeneratorConfig(
            events=args.events,
            days=args.days,
            workspaces=args.workspaces,
            users=args.users,
            seed=args.seed,
            end=args.end,
            bad_rate=args.bad_rate,
            duplicate_rate=args.duplicate_rate,
            late_rate=args.late_rate,
            file_format=args.format,
        )
        started = time.monotonic()
        written = write_dataset(config, args.out)
        for path in written:
            print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
        print(f"generated {config.events:,} usage events in {len(written)} files in {time.monotonic() - started:.1f}s")
        return 0
    if args.command == "billing":
        from ingest import billing
        from ingest.pipeline import run_lock

        cfg = settings_module.from_env(warehouse=args.warehouse)
        if args.billing_command == "close":
            period = billing.parse_period(args.period)
            with run_lock(cfg.lock_file):
                billing.close_period(cfg.build_db, period)
            following = billing.next_month(period)
            print(f"closed {period:%Y-%m}: from the next run, late usage for it is billed in {following:%Y-%m}")
            return 0
        latest = billing.closed_period(cfg.build_db)
        print(f"last closed billing period: {latest:%Y-%m}" if latest else "no billing period is closed")
        return 0
    if args.command == "prices" and args.prices_command == "import-litellm":
        from ingest.prices import import_litellm

        seeds_dir = args.seeds_dir or settings_module.from_env().project_dir / "seeds"
        import_litellm(args.file, seeds_dir, effective_from=args.effective_from)
        return 0
    raise UserError(f"unknown command {args.command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except UserError as error:
        print(f"synapscale: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("synapscale: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
