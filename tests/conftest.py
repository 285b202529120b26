"""Markers by folder, and the one real warehouse most slow tests share (built once per session by the real
`synapscale run`, dbt as a subprocess).

`pytest -m "not slow"` is the quick inner loop (pure Python and DuckDB, no dbt; `make test-fast` runs it on two
cores); `make test` runs everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import Published, synapscale
from tests.support.paths import FIXTURES, TESTS_DIR

# Folders whose tests build a warehouse with dbt (or drive a browser): marked slow as a whole.
SLOW_FOLDERS = ("warehouse", "pipeline", "app", "faults", "spark")
BROWSER_FILES = ("app/test_browser.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(item.fspath).resolve().relative_to(TESTS_DIR).as_posix()
        if relative.split("/", 1)[0] in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
        if relative in BROWSER_FILES:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("published")
    landing = root / "landing"
    shutil.copytree(FIXTURES / "landing", landing)
    warehouse = root / "warehouse"
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, f"synapscale run failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return Published(landing=landing, warehouse=warehouse, first_run=result)
