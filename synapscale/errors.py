"""Errors meant for the person at the terminal: one line that says what is wrong and what to do next, and the
exit codes a scheduler sees (docs/operations.md#exit-codes)."""

from ingest.errors import UserError

# Exit codes of every `synapscale` command (one table in docs/operations.md).
EXIT_OK = 0  # published (or the command did what it was asked)
EXIT_FAILED = 1  # a step failed: nothing published, the last good serve file kept
EXIT_USAGE = 2  # bad arguments or usage: nothing touched
EXIT_TEMPFAIL = 75  # EX_TEMPFAIL (sysexits.h): another run holds the lock; this one did nothing, try later
EXIT_INTERRUPTED = 130  # interrupted (Ctrl-C, SIGTERM): nothing published by this run


class StepFailed(Exception):
    """A pipeline step failed; the message names the step and where to look."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step} failed: {detail}")
        self.step = step


class RunInProgress(Exception):
    """Another run holds the run lock; nothing was done (exit code 75)."""


__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TEMPFAIL",
    "EXIT_USAGE",
    "RunInProgress",
    "StepFailed",
    "UserError",
]
