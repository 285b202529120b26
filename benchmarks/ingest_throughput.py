"""Ingest and generator throughput on this machine (not a test: run it by hand, copy the figures to the docs).

    python benchmarks/ingest_throughput.py [--events 1000000] [--generator-events 10000000] [--workdir DIR]

Generates --events usage events as JSONL and as Parquet (rates 0) in two shapes - the default 240-day data set
(usage split by month) and a 31-day one (a single usage file) - ingests each into a fresh build database and
reports usage events per second (wall clock of ingest_paths over the whole folder, feedback and snapshots
included); then times write_dataset for --generator-events events as Parquet.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.generate import GeneratorConfig, write_dataset  # noqa: E402
from ingest.load import ingest_paths  # noqa: E402


def _ingest(events: int, file_format: str, days: int, workdir: Path) -> tuple[float, int]:
    landing = workdir / f"landing_{file_format}_{days}"
    config = GeneratorConfig(events=events, days=days, file_format=file_format)  # type: ignore[arg-type]
    write_dataset(config, landing)
    db = workdir / f"build_{file_format}_{days}.duckdb"
    started = time.perf_counter()
    report = ingest_paths(db, [landing], progress=lambda _: None)
    seconds = time.perf_counter() - started
    assert report.ok and report.quarantined == 0, "benchmark data must load cleanly"
    usage_loaded = sum(f.loaded for f in report.files if f.record_type == "usage")
    assert usage_loaded == events
    size = sum(f.stat().st_size for f in landing.iterdir())
    files = len(list(landing.iterdir()))
    print(
        f"ingest {file_format:7s} ({days:3d} days, {files:2d} files): {events:,} usage events "
        f"({report.read:,} records, {size / 1e6:,.0f} MB) "
        f"in {seconds:.2f} s = {events / seconds:,.0f} events/s"
    )
    return seconds, events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--generator-events", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="synapscale-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; workdir {workdir}")
    try:
        for days in (240, 31):  # the default data set (monthly files), then one big usage file
            _ingest(args.events, "jsonl", days, workdir)
            _ingest(args.events, "parquet", days, workdir)
        out = workdir / "generated"
        started = time.perf_counter()
        files = write_dataset(GeneratorConfig(events=args.generator_events), out)
        seconds = time.perf_counter() - started
        size = sum(f.stat().st_size for f in files)
        print(
            f"generate parquet: {args.generator_events:,} events ({len(files)} files, {size / 1e6:,.0f} MB) "
            "in "
            f"{seconds:.1f} s = {args.generator_events / seconds:,.0f} events/s"
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
