"""One run at a time: an exclusive, non-blocking lock held for the whole run."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synapscale.errors import UserError


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
