"""Driving a real `synapscale run` to a known point and killing it, and watching the serve file meanwhile.

The run is a child process started from a tiny script that passes `synapscale.pipeline.run.run` a checkpoint
callback: at the named point ('before_run': before the run starts) it writes a marker file and waits, or
does the given action (fill the disk, set a file-size limit) and goes on. No product code sleeps; the test
decides when to kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from tests.support.paths import PROJECT_DIR

CHILD_RUN = """
import os, sys, time
from pathlib import Path
from synapscale import settings
from synapscale.pipeline.run import run

landing, warehouse, stop_at, marker, action = sys.argv[1:6]

def checkpoint(name):
    if name != stop_at:
        return
    act()

def act():
    Path(marker).write_text(str(os.getpid()))
    if action == "wait":
        time.sleep(600)
    elif action.startswith("fill:"):  # fill the warehouse's file system but `leave` bytes, then go on
        path, leave = action[5:].rsplit(":", 1)
        with open(path, "wb") as handle:
            try:
                while True:
                    handle.write(b"\\0" * (1 << 20))
                    handle.flush()
            except OSError:
                pass
        os.truncate(path, max(0, os.path.getsize(path) - int(leave)))
    elif action.startswith("fsize:"):  # a file-size limit below the build file: the publish copy hits it
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(action[6:])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

if stop_at == "before_run":
    act()
sys.exit(run(settings.from_env(landing=landing, warehouse=warehouse), checkpoint=checkpoint))
"""


def start_run(
    landing: Path,
    warehouse: Path,
    stop_at: str,
    marker: Path,
    log: Path,
    action: str = "wait",
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.Popen[bytes]:
    """A real run in a child process that stops at checkpoint `stop_at` (see CHILD_RUN)."""
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_RUN, str(landing), str(warehouse), stop_at, str(marker), action],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR), "PYTHONUNBUFFERED": "1"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        preexec_fn=preexec_fn,  # noqa: PLW1509
    )


def kill_run_at(landing: Path, warehouse: Path, stop_at: str, tmp_path: Path) -> tuple[int, Path]:
    """Start a run that stops at checkpoint `stop_at`, kill -9 it there; returns (its pid, its log)."""
    marker, log = tmp_path / "reached", tmp_path / "killed_run.log"
    process = start_run(landing, warehouse, stop_at, marker, log)
    try:
        wait_until(marker.exists, process, log)
        kill_hard(process)
    finally:
        if process.poll() is None:
            process.kill()
    return process.pid, log


def wait_until(condition: Callable[[], Any], process: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> Any:
    """Poll `condition` until it returns something truthy; fail if the run exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert process.poll() is None, f"the run exited ({process.returncode}) too early:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting:\n{log.read_text()[-3000:]}"
        time.sleep(0.05)


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def holds_file(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (its /proc fd links)."""
    try:
        return any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def landing_events(landing: Path) -> pl.DataFrame:
    """Every usage event in the landing folder's usage files, read with polars (not with ingest)."""
    frames = [
        pl.read_ndjson(path, schema={"event_id": pl.String, "workspace_id": pl.String})
        for path in sorted(landing.iterdir())
        if path.name.startswith("usage_") and path.suffix == ".jsonl"
    ]
    return pl.concat(frames)


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def check_serve(serve_db: Path) -> tuple[int, int]:
    """Open the serve file as a reader does and check, inside one connection, that it is one consistent
    publication: its row count is the table's, its run says 'published', and every invoice equals the
    usage cost of its workspace and UTC month, rounded to cents here. Returns (version, usage rows)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set threads = 1")  # a reader among several on two cores, beside the runs
        con.execute(f"attach '{serve_db}' as serve (read_only)")
        con.execute("use serve")
        version, stamped_rows, run_id = con.execute(
            "select published_version, usage_log_rows, run_id from meta.publication"
        ).fetchone()
        # Exact DECIMAL sums per workspace and UTC month (few rows, so readers stay cheap); rounded here.
        usage = con.execute(
            "select workspace_id, date_trunc('month', occurred_at)::date, count(*), sum(cost_usd) "
            "from core.usage_logs group by all"
        ).fetchall()
        invoices = con.execute("select workspace_id, billing_period, total_usd from marts.invoices").fetchall()
        status = con.execute("select status from ops.run_history where run_id = ?", [run_id]).fetchall()
    finally:
        con.close()
    rows = sum(count for _, _, count, _ in usage)
    assert stamped_rows == rows, (version, stamped_rows, rows)
    assert status == [("published",)], (run_id, status)
    expected = {(workspace, month): round_cents(cost) for workspace, month, _, cost in usage if cost is not None}
    assert expected == {(w, p): t for w, p, t in invoices}
    return version, rows


@dataclass
class ServeWatcher:
    """Checks the serve file over and over, from a thread of the test process, for as long as it runs."""

    serve_db: Path
    seen: list[tuple[int, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> ServeWatcher:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=60)
        self._check()  # and once more now the run has ended, so the last publication is seen for sure

    def _check(self) -> None:
        try:
            self.seen.append(check_serve(self.serve_db))
        except Exception as error:  # every failure is a finding: the test asserts there were none
            self.errors.append(f"{type(error).__name__}: {error}")

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._check()
            time.sleep(0.2)  # often enough to be reading during each step, rarely enough not to slow the run
