"""Regenerate docs/screenshots/ from the demo data: `make screenshots` (or python -m tests.app.screenshots).

Generates the demo data set `make demo` uses, runs the real pipeline into a temporary warehouse, serves the
app on loopback and photographs every page in headless Chromium (each page must render without exception
text, or nothing is written). --warehouse reuses a published warehouse instead of building one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from app import navigation
from tests.app.serving import chromium, failures, screenshot, streamlit_server, wait_rendered
from tests.support.paths import PROJECT_DIR

DEMO = ("--events", "200000", "--days", "240", "--workspaces", "24", "--users", "360", "--seed", "42")
# Extra views worth a picture: (file name, page url path, query string, page title).
VIEWS = (("cost_explorer-by-model", "cost_explorer", "by=model&provider=openai&provider=anthropic", "Cost explorer"),)


def build_demo(root: Path) -> Path:
    cli = [sys.executable, "-m", "synapscale"]
    subprocess.run([*cli, "generate", *DEMO, "--out", str(root / "landing")], check=True, stdout=subprocess.DEVNULL)
    warehouse = root / "warehouse"
    subprocess.run(
        [*cli, "run", "--landing", str(root / "landing"), "--warehouse", str(warehouse)],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=PROJECT_DIR,
    )
    return warehouse


def shoot(serve_db: Path, out: Path) -> list[Path]:
    shots = [
        (spec.url_path, spec.url_path if spec != navigation.PAGES[0] else "", "", spec.title)
        for spec in navigation.PAGES
    ]
    written = []
    with streamlit_server(serve_db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for name, path, query, title in [*shots, *VIEWS]:
            page.goto(f"{url}/{path}" + (f"?{query}" if query else ""))
            wait_rendered(page, title)
            problems = failures(page)
            if problems:
                raise SystemExit(f"{name}: the page shows errors: {problems}")
            target = out / f"{name}.png"
            screenshot(page, target)
            written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "screenshots")
    parser.add_argument("--warehouse", type=Path, help="a published warehouse to photograph instead of the demo")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="synapscale-screenshots-") as tmp:
        warehouse = args.warehouse or build_demo(Path(tmp))
        for path in shoot(warehouse / "serve.duckdb", args.out):
            print(f"wrote {path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path}")


if __name__ == "__main__":
    main()
