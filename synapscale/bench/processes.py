"""Child processes as the benchmark runs them: every output line timestamped as it arrives, and the memory of
the whole process tree sampled meanwhile.

Memory is the resident set (VmRSS) summed over this process and all its descendants (the pipeline's dbt
subprocess included), read from /proc every SAMPLE_SECONDS; pages two processes share count twice, so the sum
is an upper bound of what the tree really held. getrusage gives the largest single finished child too.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.2
Printer = Callable[[str], None]


@dataclass
class Finished:
    """A child that ran to its end: exit code, wall seconds, output lines (seconds since start, text) and the
    largest tree RSS seen while it ran."""

    returncode: int
    seconds: float
    lines: list[tuple[float, str]]
    peak_rss_bytes: int

    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state, past the command name
        tree.setdefault(parent, []).append(int(entry))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(root: int) -> int:
    """RSS of `root` and every descendant, summed."""
    tree, total, pending = _children(), 0, [root]
    while pending:
        pid = pending.pop()
        total += _rss_bytes(pid)
        pending.extend(tree.get(pid, ()))
    return total


@dataclass
class MemorySampler:
    """Samples the tree RSS of this process in a thread; `peak` since the last `reset`, `overall` since start."""

    peak: int = 0
    overall: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def reset(self) -> None:
        self.peak = tree_rss_bytes(os.getpid())

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            rss = tree_rss_bytes(os.getpid())
            self.peak = max(self.peak, rss)
            self.overall = max(self.overall, rss)


def largest_child_rss_bytes() -> int:
    """The largest resident set any finished child (or grandchild it waited for) ever had."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def run_child(
    command: Sequence[str],
    sampler: MemorySampler,
    show: Printer,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Finished:
    """Run `command`, passing each output line (stdout and stderr merged) to `show` as it comes."""
    sampler.reset()
    started = time.perf_counter()
    lines: list[tuple[float, str]] = []
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))
            show(lines[-1][1])
        returncode = process.wait()
    return Finished(returncode, time.perf_counter() - started, lines, sampler.peak)
