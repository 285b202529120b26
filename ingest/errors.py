"""Errors meant for the person at the terminal: one line that says what is wrong and what to do next."""


class UserError(Exception):
    """A problem the user can fix (bad argument, missing file, a run already in progress)."""
