"""What to do about the failures an operator meets most: a full disk and a warehouse the run may not write."""

from __future__ import annotations

import os
from pathlib import Path

DISK_FULL = ("no space left on device", "file too large", "disk quota exceeded", "errno 28", "errno 27")
NOT_WRITABLE = ("permission denied", "read-only file system", "errno 13", "errno 30")


def advice(message: str, warehouse: Path) -> str:
    """A sentence on what to do next when `message` is a known failure of the warehouse's file system."""
    text = message.lower()
    if any(marker in text for marker in DISK_FULL):
        return (
            f"the file system of {warehouse} is full (or a file-size limit was hit): free space there "
            f"(`df -h {warehouse}`; old files in {warehouse / 'dbt' / 'logs'} can go) and re-run"
        )
    if any(marker in text for marker in NOT_WRITABLE):
        return (
            f"{warehouse} (or a file in it) is not writable by uid {os.getuid()}: run synapscale as the "
            f"warehouse's owner, or `chown -R` it to the user the scheduler runs as, then re-run"
        )
    return ""


def with_advice(message: str, warehouse: Path) -> str:
    extra = advice(message, warehouse)
    return f"{message}; {extra}" if extra else message
