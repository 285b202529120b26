"""Errors meant for the person at the terminal: one line that says what is wrong and what to do next."""

from ingest.errors import UserError


class StepFailed(Exception):
    """A pipeline step failed; the message names the step and where to look."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step} failed: {detail}")
        self.step = step


__all__ = ["StepFailed", "UserError"]
