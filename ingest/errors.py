"""Errors meant for the person at the terminal: one line that says what is wrong and what to do next."""


class UserError(Exception):
    """A problem the user can fix (bad argument, missing file, a run already in progress)."""


class StepFailed(Exception):
    """A pipeline step failed; the message names the step and where to look."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step} failed: {detail}")
        self.step = step
