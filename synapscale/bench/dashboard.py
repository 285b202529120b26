"""Dashboard page queries, timed the way a viewer waits for them: every page's data functions as the page calls
them (the app's own data package, its result cache bypassed), through the dashboard's own page list
(benchmarks/dashboard_queries.py, PAGES), for the default view (the last 30 days of data, everything).

    python -m synapscale.bench.dashboard SERVE_DB [--repeat N]     (run from the project folder: app/ is there)

prints one JSON object: per page, the seconds of each of the N loads. It runs as a child of the benchmark
(app/ sits above this package; nothing in synapscale imports it otherwise).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType


def _page_list() -> ModuleType:
    """benchmarks/dashboard_queries.py of the project folder (the working directory): its PAGES and views()."""
    path = Path.cwd() / "benchmarks" / "dashboard_queries.py"
    spec = importlib.util.spec_from_file_location("dashboard_queries", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not found; run from the project folder")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_pages(serve_path: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    """{page: {"page": [seconds per load]}}; one untimed load first (the file cache warm, as for a second click)."""
    queries = _page_list()
    serve = queries.data.current_serve(serve_path)
    if serve is None:
        raise SystemExit(f"{serve_path}: no publication to time")
    default = queries.views(serve)["default"]
    results: dict[str, dict[str, list[float]]] = {}
    for page, load in queries.PAGES.items():
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
