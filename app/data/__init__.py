"""Read-only data access for the dashboard: the one package that holds every SQL string the app runs.

- Reads only the published serve file, ATTACHed READ_ONLY to an in-memory DuckDB kept per publication (keyed on
  the file's identity), through a fresh connection (cursor) per batch of queries: a running `synapscale run` is
  never blocked.
- Reads schemas `marts` and `meta` only, never `core` or `raw`.
- Binds every filter value as a parameter; table and column names come only from constants in code.
- Caches per published version: every loader takes a `Serve` whose identity (inode, mtime, size) changes with
  each publication, so a new publish is a new cache key and needs no restart.
- A new publication (an atomic rename) is seen without a restart, once it is warm: until then viewers are served
  the previous one (`publications`).
- Money stays DECIMAL here; pages cast to float only for charts.

`source` holds the file, its databases, its snapshot (what a publication offers) and the filters; `publications`
picks the publication viewers are served and warms a new one before switching them to it; one module per page
area holds that area's queries: `spend` (Overview, Cost explorer, Invoices), `models` (performance, quality,
recommendations), `planning` (trends, budgets, churn, what-if) and `operations` (data quality).
"""

from app.data.models import Performance, Quality, performance, quality, recommendations
from app.data.operations import LATENESS_ORDER, DataQuality, data_quality
from app.data.planning import BUCKETS as WHATIF_BUCKETS
from app.data.planning import Budgets, Trends, WhatIf, budgets, churn, trends, whatif, whatif_targets
from app.data.publications import served, wait_until_warm
from app.data.source import (
    DAY_BOUNDARIES,
    TAGS,
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
    focus_csv,
    invoice_lines,
    invoices,
    overview,
)

__all__ = [
    "BUCKETS",
    "DAY_BOUNDARIES",
    "DIMENSIONS",
    "LATENESS_ORDER",
    "TAGS",
    "WHATIF_BUCKETS",
    "Budgets",
    "Choices",
    "CostExplorer",
    "DataQuality",
    "DayBoundary",
    "Filters",
    "Grain",
    "Overview",
    "Performance",
    "Publication",
    "Quality",
    "Serve",
    "Snapshot",
    "Trends",
    "WhatIf",
    "budgets",
    "catalog",
    "choices",
    "churn",
    "connect",
    "cost_explorer",
    "current_serve",
    "data_quality",
    "dimensions",
    "focus_csv",
    "has_day_boundary",
    "invoice_lines",
    "invoices",
    "overview",
    "performance",
    "publication",
    "quality",
    "recommendations",
    "serve_path",
    "served",
    "snapshot",
    "trends",
    "wait_until_warm",
    "whatif",
    "whatif_targets",
]
