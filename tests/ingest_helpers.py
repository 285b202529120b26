"""Small helpers shared by the ingest tests (kept out of conftest so each test file reads on its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one query against a build database opened read-only, fetching at once."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def quiet(_: str) -> None:
    """A progress callback that prints nothing."""
