"""The scheduled job: lock → ingest new landing files → dbt build → publish the tested database.

Readers (dashboard, analysts) only ever open the serve file; this job only ever writes the build file. Publishing
copies the checkpointed build file to a temporary name beside the serve file and renames it into place, so a
reader sees either the previous complete database or the new one, never a half-written file. A failing step
publishes nothing and leaves the last good serve file where it was.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingest.attribution import Attribution
from ingest.billing import closed_period
from ingest.errors import StepFailed, UserError
from ingest.load import ingest_paths
from ingest.settings import Settings

Progress = Callable[[str], None]


@contextmanager
def run_lock(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for the whole run so a scheduler never overlaps itself."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise UserError(
                f"another synapscale run is in progress (pid {holder}, lock {lock_file}); "
                "wait for it to finish, this run did nothing"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dbt_executable() -> str:
    """The dbt of this virtual environment (dbt runs as a subprocess so its file lock ends with it)."""
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if found is None:
        raise UserError("dbt is not installed in this environment; run `make install` (pip install -e .)")
    return found


def dbt_invocation(
    project_dir: Path,
    build_db: Path,
    work_dir: Path,
    args: Sequence[str],
    vars_: Mapping[str, object] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt run against `build_db`, with target and logs under
    `work_dir` (so concurrent runs on other build files never share dbt's state). Pipeline and tests use it."""
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        # A stale partial-parse cache after models are renamed fails the build; a full parse costs ~2 s.
        "--no-partial-parse",
        "--no-use-colors",
    ]
    if vars_:
        command += ["--vars", json.dumps(dict(vars_))]
    env = {**os.environ, "SYNAPSCALE_BUILD_DB": str(build_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return command, env


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None = None,
    progress: Progress = print,
) -> None:
    """Run one dbt command against the build database, streaming its log lines; raise StepFailed on failure."""
    work_dir = settings.dbt_work_dir
    command, env = dbt_invocation(settings.project_dir, settings.build_db, work_dir, args, vars_)
    with subprocess.Popen(
        command,
        cwd=settings.project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            progress(f"  dbt | {line.rstrip()}")
        returncode = process.wait()
    if returncode != 0:
        failing = failing_nodes(work_dir / "target" / "run_results.json")
        names = ", ".join(failing[:5]) + (f" (+{len(failing) - 5} more)" if len(failing) > 5 else "")
        raise StepFailed(
            f"dbt {args[0]}",
            f"exit code {returncode}"
            + (f"; failing: {names}" if failing else "")
            + f"; full log in {work_dir / 'logs' / 'dbt.log'}. "
            "Nothing was published; the previous serve file is unchanged",
        )


def failing_nodes(run_results: Path) -> list[str]:
    """Names of the nodes that errored or failed in the last dbt invocation, from run_results.json."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [r["unique_id"] for r in results if r.get("status") in ("error", "fail", "runtime error")]


def publish(build_db: Path, serve_db: Path, *, progress: Progress = print) -> Path:
    """Copy the tested build database to serve_db atomically (write a new file, then rename it into place)."""
    if not build_db.exists():
        raise StepFailed("publish", f"no build database at {build_db}; run `synapscale run` first")
    # Fold any write-ahead log into the main file so a plain copy of it is complete.
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    temporary = serve_db.with_name(f".{serve_db.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build_db, temporary)
        with duckdb.connect(str(temporary)) as con:
            con.execute("create schema if not exists meta")
            con.execute(
                "create or replace table meta.publication as select ?::timestamptz as published_at, "
                "(select count(*) from core.usage_logs) as usage_log_rows",
                [datetime.now(UTC)],
            )
            con.execute("comment on table meta.publication is 'When this serve file was published, and its size.'")
            con.execute("checkpoint")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, serve_db)
    except Exception as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, StepFailed):
            raise
        raise StepFailed("publish", f"{error}; the previous serve file is unchanged") from error
    progress(f"published {serve_db} ({serve_db.stat().st_size / 1e6:.1f} MB)")
    return serve_db


def dbt_vars(closed: date | None) -> dict[str, object]:
    """The vars every pipeline dbt run gets (the closed billing period comes from the build database)."""
    return {"closed_billing_period": closed.isoformat()} if closed else {}


def run(
    settings: Settings,
    *,
    full_refresh: bool = False,
    progress: Progress = print,
    attribution: Attribution | None = None,
) -> int:
    """The main job. Returns 0 on success, 1 when a step failed (named in the message)."""
    settings.landing_dir.mkdir(parents=True, exist_ok=True)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with run_lock(settings.lock_file):
        try:
            progress(f"[1/3] ingest {settings.landing_dir} → {settings.build_db}")
            report = ingest_paths(settings.build_db, [settings.landing_dir], progress=progress, attribution=attribution)
            if not report.ok:
                raise StepFailed("ingest", "some files could not be read (see above); fix or remove them and re-run")
            progress("[2/3] dbt build")
            build_args = ["build", "--full-refresh"] if full_refresh else ["build"]
            closed = closed_period(settings.build_db)
            if closed is not None:
                progress(f"  billing periods up to {closed:%Y-%m} are closed")
            run_dbt(settings, build_args, vars_=dbt_vars(closed), progress=progress)
            progress(f"[3/3] publish → {settings.serve_db}")
            publish(settings.build_db, settings.serve_db, progress=progress)
        except StepFailed as failure:
            print(f"synapscale: {failure}", file=sys.stderr)
            return 1
    progress(f"done in {time.monotonic() - started:.1f}s")
    return 0
