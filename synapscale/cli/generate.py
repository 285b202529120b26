"""`synapscale generate`: a deterministic synthetic landing data set."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from synapscale.cli.args import iso_date, positive_int, rate

if TYPE_CHECKING:
    from synapscale.generate import GeneratorConfig


def register(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser("generate", help="write a deterministic synthetic landing data set")
    add_dataset_arguments(
        generate,
        events=200_000,
        days=240,
        workspaces=24,
        users=360,
        days_help="days of data (default 240: spans the 2024-10 to 2025-02 price changes)",
        seed_help="random seed (default 42); ids carry a token of the seed unless it is 42, so data sets never collide",
    )
    generate.add_argument(
        "--batch",
        type=int,
        default=0,
        metavar="K",
        help="write the K-th daily landing after the data set of these options instead: --events new events on "
        "day end+K (--late-rate of them dated 1-5 days earlier), same workspaces and users, ids of their own",
    )
    generate.add_argument("--end", type=iso_date, default=None, help="last day of data (default: 2025-03-31)")
    generate.add_argument("--bad-rate", type=rate, default=0.0, help="share of corrupted records")
    generate.add_argument("--duplicate-rate", type=rate, default=0.0, help="share of re-sent records")
    generate.add_argument("--late-rate", type=rate, default=0.0, help="share of records landing days late")
    generate.add_argument(
        "--churn-rate", type=rate, default=0.0, help="share of workspaces that decline, then fall silent (default 0)"
    )
    generate.add_argument(
        "--ground-truth",
        type=Path,
        default=None,
        help="write the churn ground truth CSV here (default with --churn-rate: OUT/.ground_truth/churn.csv, which"
        " ingest skips)",
    )
    generate.add_argument("--out", type=Path, required=True, help="output folder")
    generate.set_defaults(handler=handle)


def add_dataset_arguments(
    parser: argparse.ArgumentParser,
    *,
    events: int,
    days: int,
    workspaces: int,
    users: int,
    events_help: str | None = None,
    days_help: str | None = None,
    seed_help: str | None = None,
) -> None:
    """The size and seed of a generated data set and its file format, with this command's defaults: the arguments
    `dataset_config` reads (`generate` writes the data set, `bench` generates one to time)."""
    parser.add_argument("--events", type=positive_int, default=events, help=events_help)
    parser.add_argument("--days", type=positive_int, default=days, help=days_help)
    parser.add_argument("--workspaces", type=positive_int, default=workspaces)
    parser.add_argument("--users", type=positive_int, default=users)
    parser.add_argument("--seed", type=int, default=42, help=seed_help)
    parser.add_argument("--format", choices=("jsonl", "parquet"), default="parquet")


DATASET_ARGUMENTS = ("events", "days", "workspaces", "users", "seed")


def dataset_config(args: argparse.Namespace, *names: str) -> GeneratorConfig:
    """The GeneratorConfig of the add_dataset_arguments arguments, plus this command's own arguments `names`
    (each a GeneratorConfig field of the same name)."""
    from synapscale.generate import GeneratorConfig

    fields = {name: getattr(args, name) for name in (*DATASET_ARGUMENTS, *names)}
    return GeneratorConfig(file_format=args.format, **fields)


def handle(args: argparse.Namespace) -> int:
    from synapscale.generate import write_dataset

    config = dataset_config(args, "end", "bad_rate", "duplicate_rate", "late_rate", "churn_rate", "batch")
    started = time.monotonic()
    written = write_dataset(config, args.out, args.ground_truth)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"generated {config.events:,} usage events in {len(written)} files in {time.monotonic() - started:.1f}s")
    return 0
