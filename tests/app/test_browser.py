"""A real Streamlit server and a real headless Chromium (Debian's package), on loopback only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.support.cli import Published
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


@pytest.fixture(scope="module")
def server(published: Published) -> Iterator[str]:
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
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "SYNAPSCALE_SERVE_DB": str(published.serve_db)},
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
            assert process.poll() is None, "streamlit exited early"
            assert time.monotonic() < deadline, "streamlit did not become healthy within 60 s"
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_server_answers_on_root_and_health(server: str) -> None:
    assert get(f"{server}/") == 200
    assert get(f"{server}/_stcore/health") == 200


def test_overview_renders_the_hand_computed_total_in_chromium(server: str, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, empty profile (its own --user-data-dir).
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(server)
            total = page.locator('[data-testid="stMetric"]').filter(has_text="Total spend")
            total.wait_for(timeout=45_000)
            assert "$7.99" in total.inner_text()
            page.get_by_text("Spend by model (USD)").wait_for(timeout=15_000)
            page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
        finally:
            browser.close()
