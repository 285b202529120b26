"""A real Streamlit server and a real headless Chromium (Debian's package, driven by Playwright's client with
`executable_path`, no browser download), on loopback only. Shared by the browser tests and `make screenshots`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.paths import PROJECT_DIR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Text that means a page failed, whatever element shows it.
FAILURE_TEXT = ("Traceback (most recent call last)", "StreamlitAPIException", "Error:", "Exception:")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


@contextmanager
def streamlit_server(serve_db: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app/streamlit_app.py` on a free loopback port, reading serve_db; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app/streamlit_app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "SYNAPSCALE_SERVE_DB": str(serve_db), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"{url}/_stcore/health") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError("streamlit exited early")
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError("install Debian's chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, empty profile (its own --user-data-dir).
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_rendered(page: Page, title: str, timeout_ms: int = 45_000) -> None:
    """Wait until the page's title is shown and the script has finished running (charts drawn)."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stSpinner"]').first.wait_for(state="detached", timeout=timeout_ms)
    # Tables, charts and some widgets load lazily after the script ends, showing a skeleton until then.
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)
    # Vega charts render asynchronously after the script ends; give each a moment to draw its canvas/svg.
    for chart in page.locator('[data-testid="stVegaLiteChart"]').all():
        chart.locator("canvas, svg").first.wait_for(timeout=timeout_ms)
    page.wait_for_timeout(300)


def failures(page: Page) -> list[str]:
    """Exception boxes, error alerts and failure text on the page (empty when it rendered cleanly)."""
    found = [box.inner_text() for box in page.locator('[data-testid="stException"]').all()]
    found += [box.inner_text() for box in page.locator('[data-testid="stAlertContentError"]').all()]
    text = page.locator('[data-testid="stMain"]').inner_text()
    found += [marker for marker in FAILURE_TEXT if marker in text]
    return found


def screenshot(page: Page, path: Path, width: int = 1440) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to the content first."""
    blocks = '[data-testid="stMain"], [data-testid="stMainBlockContainer"]'
    height = page.evaluate(
        "(selector) => Math.max(...[...document.querySelectorAll(selector)].map(e => e.scrollHeight), 900)", blocks
    )
    page.set_viewport_size({"width": width, "height": int(height) + 40})
    page.wait_for_timeout(400)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})
