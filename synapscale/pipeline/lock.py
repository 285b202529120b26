"""One run at a time: an exclusive, non-blocking `flock` on `warehouse/.run.lock`, held for the whole run.

The kernel releases a flock when its process dies, however it dies (kill -9 included), so a killed run never
leaves the warehouse locked. The lock file also says who holds it (one JSON line: pid, command, run id, start,
current step), written after the lock is taken and emptied before it is released. A run that takes the lock and
finds that line still there knows the previous holder ended without finishing, and says so
("previous run pid N ended without finishing; taking over"); the run records it in run history.

`synapscale status` holds the lock for the few milliseconds it needs to read the build file; a run that finds
it held by such a short holder waits for it (up to `SHORT_HOLDER_WAIT_SECONDS`) instead of giving up.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from synapscale.errors import RunInProgress, StepFailed

# Commands that hold the lock only briefly: a run waits for them rather than exiting 75.
SHORT_HOLDERS = ("status", "alerts list")
SHORT_HOLDER_WAIT_SECONDS = 15.0
# Commands whose unfinished end is worth recording (they keep a row in run history).
RECORDED_COMMANDS = ("run", "publish")


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held without finishing) the lock."""

    pid: int | None
    command: str = "unknown"
    run_id: str | None = None
    started_at: str | None = None
    step: str | None = None

    def describe(self) -> str:
        who = f"{self.command} pid {self.pid if self.pid is not None else 'unknown'}"
        since = f" since {self.started_at}" if self.started_at else ""
        step = f", step: {self.step}" if self.step else ""
        return f"{who}{since}{step}"


def parse_holder(text: str) -> Holder | None:
    """The holder a lock file names; None when it is empty (the last holder finished)."""
    text = text.strip()
    if not text:
        return None
    try:
        fields = json.loads(text)
    except ValueError:
        fields = None
    if isinstance(fields, dict):
        pid = fields.get("pid")
        return Holder(
            pid=pid if isinstance(pid, int) else None,
            command=str(fields.get("command") or "unknown"),
            run_id=fields.get("run_id"),
            started_at=fields.get("started_at"),
            step=fields.get("step"),
        )
    return Holder(pid=int(text) if text.isdigit() else None)  # an older lock file: just the pid


def read_holder(lock_file: Path) -> Holder | None:
    """What the lock file says, without taking the lock (for `status`)."""
    try:
        return parse_holder(lock_file.read_text())
    except (FileNotFoundError, PermissionError):
        return None


def pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class RunLock:
    """The held lock: who we are, who held it before without finishing, and the step we are at."""

    def __init__(self, handle: IO[bytes], path: Path, holder: Holder, previous: Holder | None) -> None:
        self._handle = handle
        self.path = path
        self.holder = holder
        self.previous = previous

    def set_step(self, step: str) -> None:
        """Say in the lock file which step the run is at (`status` shows it while the run goes on)."""
        self.holder = replace(self.holder, step=step)
        self._write(json.dumps(asdict(self.holder)))

    def _write(self, text: str) -> None:
        """Replace the holder line (unbuffered). The line only informs: on a full disk the run goes on
        without it, holding the lock all the same, and fails at its first real write with a clear message."""
        try:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.write(text.encode())
        except OSError:
            pass


@contextmanager
def run_lock(
    lock_file: Path, command: str = "run", run_id: str | None = None, *, keep_previous: bool = False
) -> Iterator[RunLock]:
    """Hold the exclusive lock for the block; raise RunInProgress (exit 75) when another run holds it.

    keep_previous=True (for `status`, which only reads) puts back the line of an unfinished previous holder
    on release, so the next run still learns that it must take over."""
    handle = _open(lock_file)
    with handle:
        _acquire(handle, lock_file)
        handle.seek(0)
        previous_text = handle.read().decode(errors="replace")
        previous = parse_holder(previous_text)
        holder = Holder(
            pid=os.getpid(),
            command=command,
            run_id=run_id,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        lock = RunLock(handle, lock_file, holder, previous)
        lock._write(json.dumps(asdict(holder)))
        try:
            yield lock
        finally:
            lock._write(previous_text if keep_previous else "")  # finished: the next holder must not think we died
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open(lock_file: Path) -> IO[bytes]:
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        return open(lock_file, "a+b", buffering=0)  # noqa: SIM115 (closed by run_lock's `with`)
    except OSError as error:
        raise StepFailed(
            "lock",
            f"cannot open the run lock {lock_file} ({error.strerror}); the warehouse folder {lock_file.parent} "
            f"must be writable by the user running synapscale (uid {os.getuid()}). Nothing was done",
        ) from None


def _acquire(handle: IO[bytes], lock_file: Path) -> None:
    deadline = time.monotonic() + SHORT_HOLDER_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = read_holder(lock_file) or Holder(pid=None)
            if holder.command in SHORT_HOLDERS and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise RunInProgress(
                f"another synapscale run is in progress ({holder.describe()}; lock {lock_file}); "
                "this one did nothing: it will run at the next scheduled time"
            ) from None
