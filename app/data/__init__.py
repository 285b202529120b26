"""Read-only data access for the dashboard: the one package that holds every SQL string the app runs.

- Reads only the published serve file, ATTACHed READ_ONLY to an in-memory DuckDB kept per publication (keyed on
  the file's identity), through a fresh connection (cursor) per batch of queries: a running `synapscale run` is
  never blocked, and a new publication, an atomic rename, is seen at once.
- Reads schemas `marts` and `meta` only, never `core` or `raw`.
- Binds every filter value as a parameter; table and column names come only from constants in code.
- Caches per published version: every loader takes a `Serve` whose identity (inode, mtime, size) changes with
  each publication, so a new publish is a new cache key and needs no restart.
- Money stays DECIMAL here; pages cast to float only for charts.

`source` holds the file, its snapshot (what a publication offers) and the filters; one module per page area
holds that area's queries (`spend` today; performance, planning and operations as their marts land).
"""

from app.data.source import (
    DAY_BOUNDARIES,
    Choices,
    DayBoundary,
    Filters,
    Grain,
    Publication,
    Serve,
    Snapshot,
    catalog,
    choices,
    connect,
    current_serve,
    has_day_boundary,
    publication,
    serve_path,
    snapshot,
)
from app.data.spend import (
    BUCKETS,
    DIMENSIONS,
    CostExplorer,
    Overview,
    cost_explorer,
    dimensions,
    invoice_lines,
    invoices,
    overview,
)

__all__ = [
    "BUCKETS",
    "DAY_BOUNDARIES",
    "DIMENSIONS",
    "Choices",
    "CostExplorer",
    "DayBoundary",
    "Filters",
    "Grain",
    "Overview",
    "Publication",
    "Serve",
    "Snapshot",
    "catalog",
    "choices",
    "connect",
    "cost_explorer",
    "current_serve",
    "dimensions",
    "has_day_boundary",
    "invoice_lines",
    "invoices",
    "overview",
    "publication",
    "serve_path",
    "snapshot",
]
