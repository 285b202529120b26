"""Ingest and generator throughput on this machine (not a test: run it by hand, copy the figures to the docs).

    python benchmarks/ingest_throughput.py [--events 1000000] [--generator-events 10000000] [--repeat 3]
        [--workdir DIR]

Generates --events usage events as JSONL and as Parquet (rates 0) in two shapes - the default 240-day data set
(usage split by month) and a 31-day one (a single usage file) - ingests each into a fresh build database and
reports usage events per second (wall clock of ingest_paths over the whole folder, feedback and snapshots
included, closing the connection included); then the single 1M-event usage file on its own, and the floor: a
bare `insert into raw.usage_event_rows select ... from read_parquet(...)` of that file (no validation, no dedupe,
no manifest) plus closing the database. Each ingest figure is the median of --repeat runs. Last, times
write_dataset for --generator-events events as Parquet.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from ingest.contract import ADDED_USAGE_COLUMNS, RAW_SCHEMA, USAGE  # noqa: E402
from ingest.database import connect  # noqa: E402
from ingest.load import ingest_paths  # noqa: E402
from synapscale.generate import GeneratorConfig, write_dataset  # noqa: E402


def _fresh(db: Path) -> Path:
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(db.parent / "raw_files", ignore_errors=True)  # Parquet files registered by the last run
    return db


def _median(runs: list[float]) -> str:
    return f"median {statistics.median(runs):.2f} s of {', '.join(f'{r:.2f}' for r in runs)}"


def _ingest(events: int, paths: list[Path], label: str, db: Path, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = ingest_paths(_fresh(db), paths, progress=lambda _: None)
        runs.append(time.perf_counter() - started)
        assert report.ok and report.quarantined == 0, "benchmark data must load cleanly"
        assert sum(f.loaded for f in report.files if f.record_type == "usage") == events
    registered = len(list((db.parent / "raw_files").rglob("*.parquet")))
    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    size = sum(f.stat().st_size for f in files)
    seconds = statistics.median(runs)
    print(
        f"ingest {label}: {events:,} usage events ({len(files):2d} files, {report.read:,} records, "
        f"{size / 1e6:,.0f} MB, {registered} registered as files) {_median(runs)} = {events / seconds:,.0f} events/s"
    )
    return seconds


def _bare_insert(events: int, parquet: Path, db: Path, repeat: int) -> float:
    """The floor: append the file to raw.usage_event_rows with no validation, dedupe or manifest, then close."""
    # the generated file's columns: a column added to the contract since (its default) is not in it
    columns = ", ".join(name for name in USAGE.columns if name not in ADDED_USAGE_COLUMNS)
    runs = []
    for _ in range(repeat):
        con = connect(_fresh(db))
        started = time.perf_counter()
        con.execute("begin transaction")
        con.execute(
            f"insert into {RAW_SCHEMA}.{USAGE.insert_table} ({columns}, load_id, source_file, source_line, "
            "ingested_at) "
            f"select {columns}, 'bare', ?, file_row_number + 1, now() from read_parquet(?, file_row_number = true)",
            [str(parquet), str(parquet)],
        )
        con.execute("commit")
        con.close()
        runs.append(time.perf_counter() - started)
    seconds = statistics.median(runs)
    print(
        f"floor  parquet one usage file, bare insert ... select from read_parquet + close: {events:,} rows "
        f"{_median(runs)} = {events / seconds:,.0f} rows/s"
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--generator-events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="synapscale-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, duckdb {duckdb.__version__}; workdir {workdir}")
    try:
        landings: dict[tuple[str, int], Path] = {}
        for days in (240, 31):  # the default data set (monthly files), then one with a single usage file
            for file_format in ("jsonl", "parquet"):
                landing = landings[file_format, days] = workdir / f"landing_{file_format}_{days}"
                config = GeneratorConfig(events=args.events, days=days, file_format=file_format)  # type: ignore[arg-type]
                write_dataset(config, landing)
        for days in (240, 31):
            for file_format in ("jsonl", "parquet"):
                label = f"{file_format:7s} ({days:3d} days, whole folder)"
                _ingest(args.events, [landings[file_format, days]], label, workdir / "build.duckdb", args.repeat)
        for file_format in ("jsonl", "parquet"):
            (usage,) = sorted(landings[file_format, 31].glob("usage_*"))
            label = f"{file_format:7s} (one usage file only)     "
            _ingest(args.events, [usage], label, workdir / "build.duckdb", args.repeat)
        (usage,) = sorted(landings["parquet", 31].glob("usage_*"))
        _bare_insert(args.events, usage, workdir / "bare.duckdb", args.repeat)
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
