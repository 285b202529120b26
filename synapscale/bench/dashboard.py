"""Dashboard page queries, timed the way a viewer waits for them: every page's data functions as the page calls
them (the app's own data package, its result cache bypassed), through the dashboard's own page list
(app/data/page_loads.py, PAGES), for the default view (the last 30 days of data, everything).

    python -m synapscale.bench.dashboard SERVE_DB [--repeat N]     (run from the project folder: app/ is there)

prints one JSON object: per page, the seconds of each of the N loads. It runs as a child of the benchmark
(app/ sits above this package; nothing in synapscale imports it otherwise).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def time_pages(serve_path: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    """{page: {"page": [seconds per load]}}; one untimed load first (the file cache warm, as for a second click)."""
    from app import data
    from app.data.page_loads import PAGES, views

    serve = data.current_serve(serve_path)
    if serve is None:
        raise SystemExit(f"{serve_path}: no publication to time")
    default = views(serve)["default"]
    results: dict[str, dict[str, list[float]]] = {}
    for page, load in PAGES.items():
        load(serve, default)
        seconds = []
        for _ in range(repeat):
            started = time.perf_counter()
            load(serve, default)
            seconds.append(time.perf_counter() - started)
        results[page] = {"page": seconds}
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
