"""Small helpers shared by the ingest tests (kept out of conftest so each test file reads on its own)."""

from __future__ import annotations

from tests.support.paths import FIXTURES as FIXTURE_ROOT
from tests.support.warehouse import query

FIXTURES = FIXTURE_ROOT / "ingest"
__all__ = ["FIXTURES", "query", "quiet"]


def quiet(_: str) -> None:
    """A progress callback that prints nothing."""
