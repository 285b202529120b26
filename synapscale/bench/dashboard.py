"""Dashboard page queries, timed the way a viewer waits for them: every query a page runs, through the app's own
data-access functions (app/data.py: a fresh read-only connection per query), page by page.

    python -m synapscale.bench.dashboard SERVE_DB [--repeat N]     (run from the project folder: app/ is there)

prints one JSON object: per page, the seconds of each of the N loads, and the same per query. It runs as a child
of the benchmark (app/ sits above this package; nothing in synapscale imports it otherwise). The pages below
follow app/pages/; a page added to the app is added here, or the dashboard's own query benchmark is run instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

Query = Callable[[], object]


def pages(serve: Path) -> dict[str, list[tuple[str, Query]]]:
    """Page -> its queries in the order the page runs them (sidebar first)."""
    from app import data

    bounds = data.date_bounds(serve)
    if bounds is None:
        raise SystemExit(f"{serve}: no usage in marts.cost_daily, nothing to time")
    first, last = bounds
    workspace = data.workspaces(serve)[0]
    whole = data.Filters(start=first, end=last)
    narrow = data.Filters(start=max(first, last - timedelta(days=29)), end=last, workspaces=(workspace,))
    sidebar: list[tuple[str, Query]] = [
        ("date_bounds", lambda: data.date_bounds(serve)),
        ("workspaces", lambda: data.workspaces(serve)),
        ("models", lambda: data.models(serve)),
        ("published_at", lambda: data.published_at(serve)),
    ]

    def overview(filters: Any) -> list[tuple[str, Query]]:
        return [
            ("overview_totals", lambda: data.overview_totals(serve, filters)),
            ("spend_by_day", lambda: data.spend_by_day(serve, filters)),
            ("spend_by_model", lambda: data.spend_by_model(serve, filters)),
        ]

    return {
        "overview, whole range": sidebar + overview(whole),
        "overview, one workspace, last 30 days": sidebar + overview(narrow),
    }


def time_pages(serve: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    """{page: {"page": [seconds per load], query name: [seconds per load]}}; one untimed load first."""
    results: dict[str, dict[str, list[float]]] = {}
    for page, queries in pages(serve).items():
        for _, query in queries:
            query()  # the operating system's file cache warm, as for a viewer's second click
        timings: dict[str, list[float]] = {"page": []}
        for _ in range(repeat):
            page_started = time.perf_counter()
            for name, query in queries:
                started = time.perf_counter()
                query()
                timings.setdefault(name, []).append(time.perf_counter() - started)
            timings["page"].append(time.perf_counter() - page_started)
        results[page] = timings
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("serve", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(Path.cwd()))
    print(json.dumps(time_pages(args.serve.resolve(), args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
