"""The run lock with real processes: a held lock refuses a second run (75), a killed holder's lock is free at
once and its line tells the next holder to take over, a short holder (`status`) is waited for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synapscale.errors import RunInProgress
from synapscale.pipeline.lock import Holder, parse_holder, pid_alive, read_holder, run_lock
from tests.support.cli import synapscale
from tests.support.paths import PROJECT_DIR

HOLDER = """
import sys, time
from pathlib import Path
from synapscale.pipeline.lock import run_lock

lock_file, command, hold_seconds, ready = sys.argv[1], sys.argv[2], float(sys.argv[3]), Path(sys.argv[4])
with run_lock(Path(lock_file), command, run_id="held-by-child") as lock:
    lock.set_step("dbt build")
    ready.touch()
    time.sleep(hold_seconds)
    Path(str(ready) + ".released").write_text(repr(time.time()))
"""


def hold(lock_file: Path, command: str, seconds: float, tmp_path: Path) -> subprocess.Popen[bytes]:
    ready = tmp_path / f"ready-{command}"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_file), command, str(seconds), str(ready)],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    return process


def test_a_held_lock_refuses_a_second_run_with_75_naming_the_holder(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    holder = hold(warehouse / ".run.lock", "run", 60, tmp_path)
    try:
        with (
            pytest.raises(RunInProgress, match=rf"run pid {holder.pid} since .*, step: dbt build"),
            run_lock(warehouse / ".run.lock"),
        ):
            pass
        (tmp_path / "landing").mkdir()
        started_at = getattr(read_holder(warehouse / ".run.lock"), "started_at", None)
        result = synapscale("run", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse))
        assert result.returncode == 75, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"synapscale: another synapscale run is in progress (run pid {holder.pid} since "
            f"{started_at}, step: dbt build; lock {warehouse / '.run.lock'}); "
            "this one did nothing: it will run at the next scheduled time"
        ]
        named = read_holder(warehouse / ".run.lock")
        assert named is not None
        assert (named.pid, named.command, named.run_id, named.step) == (holder.pid, "run", "held-by-child", "dbt build")
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_frees_the_lock_and_its_line_names_it(tmp_path: Path) -> None:
    lock_file = tmp_path / ".run.lock"
    holder = hold(lock_file, "run", 60, tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert not pid_alive(holder.pid)
    with run_lock(lock_file, "run", run_id="next") as lock:  # taken at once: the kernel released the flock
        assert lock.previous is not None
        assert (lock.previous.pid, lock.previous.run_id, lock.previous.step) == (
            holder.pid,
            "held-by-child",
            "dbt build",
        )
    assert read_holder(lock_file) is None  # a finished holder leaves no line


def test_status_keeps_the_line_of_a_dead_holder_for_the_next_run(tmp_path: Path) -> None:
    lock_file = tmp_path / ".run.lock"
    holder = hold(lock_file, "run", 60, tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with run_lock(lock_file, "status", keep_previous=True):
        pass
    with run_lock(lock_file, "run") as lock:
        assert lock.previous is not None and lock.previous.pid == holder.pid


def test_a_run_waits_for_a_short_holder_instead_of_giving_up(tmp_path: Path) -> None:
    lock_file = tmp_path / ".run.lock"
    holder = hold(lock_file, "status", 1.0, tmp_path)
    began = time.monotonic()
    with run_lock(lock_file, "run") as lock:
        waited, acquired_at = time.monotonic() - began, time.time()
        assert lock.previous is None  # status finished cleanly
    holder.wait()
    # It got the lock only once the holder let go (however slow a loaded machine makes either), and in time.
    released_at = float((tmp_path / "ready-status.released").read_text())
    assert released_at <= acquired_at
    assert waited < 15


def test_older_lock_files_hold_just_a_pid() -> None:
    assert parse_holder("4242") == Holder(pid=4242)
    assert parse_holder("") is None
    assert parse_holder("garbage") == Holder(pid=None)
