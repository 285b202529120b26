"""Small helpers shared by the ingest tests (kept out of conftest so each test file reads on its own)."""

from __future__ import annotations

from pathlib import Path

from tests.warehouse import query

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
__all__ = ["FIXTURES", "query", "quiet"]


def quiet(_: str) -> None:
    """A progress callback that prints nothing."""
