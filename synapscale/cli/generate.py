"""`synapscale generate`: a deterministic synthetic landing data set."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from synapscale.cli.args import iso_date, positive_int, rate


def register(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser("generate", help="write a deterministic synthetic landing data set")
    generate.add_argument("--events", type=positive_int, default=200_000)
    generate.add_argument(
        "--days",
        type=positive_int,
        default=240,
        help="days of data (default 240: spans the 2024-10 to 2025-02 price changes)",
    )
    generate.add_argument("--workspaces", type=positive_int, default=24)
    generate.add_argument("--users", type=positive_int, default=360)
    generate.add_argument(
        "--seed",
        type=int,
        default=42,
        help="random seed (default 42); ids carry a token of the seed unless it is 42, so data sets never collide",
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
    generate.add_argument("--format", choices=("jsonl", "parquet"), default="parquet")
    generate.add_argument("--out", type=Path, required=True, help="output folder")
    generate.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from synapscale.generate import GeneratorConfig, write_dataset

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
        churn_rate=args.churn_rate,
        file_format=args.format,
        batch=args.batch,
    )
    started = time.monotonic()
    written = write_dataset(config, args.out, args.ground_truth)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"generated {config.events:,} usage events in {len(written)} files in {time.monotonic() - started:.1f}s")
    return 0
