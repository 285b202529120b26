"""Loading helpers for the shape tests: one real build database per test, rows keyed by event_id."""

from __future__ import annotations

from pathlib import Path

from ingest.attribution import Attribution
from ingest.load import ingest_paths
from ingest.report import IngestReport
from tests.support.ingest import FIXTURES, query, quiet

COLUMNS = (
    "provider, model, operation, input_tokens, output_tokens, cache_read_input_tokens, "
    "cache_creation_input_tokens, cache_creation_1h_input_tokens, reasoning_output_tokens"
)


def load(
    tmp_path: Path, *paths: Path, adapter: str | None = None, attribution: Attribution | None = None
) -> tuple[Path, IngestReport]:
    db = tmp_path / "warehouse" / "build.duckdb"
    return db, ingest_paths(db, list(paths), adapter=adapter, progress=quiet, attribution=attribution)


def rows(db: Path, columns: str = COLUMNS) -> dict[str, tuple]:
    """event_id -> the given columns, for every loaded usage event."""
    return {row[0]: tuple(row[1:]) for row in query(db, f"select event_id, {columns} from raw.usage_events")}


def shape_rows(
    tmp_path: Path, path: Path, adapter: str, loaded: int, attribution: Attribution | None = None
) -> tuple[Path, dict[str, tuple]]:
    """Load one fixture file of a single shape; check detection chose `adapter` and every record of the file was
    loaded (none quarantined, none a duplicate); the build database and its rows (`rows`)."""
    db, report = load(tmp_path, path, attribution=attribution)
    (result,) = report.files
    assert (result.adapter, result.read, result.loaded) == (adapter, loaded, loaded)  # read = loaded + the rest
    return db, rows(db)


def reasons(db: Path) -> list[tuple[int, str]]:
    return sorted(query(db, "select source_line, reason_code from raw.quarantine"))


__all__ = ["FIXTURES", "load", "query", "reasons", "rows", "shape_rows"]
