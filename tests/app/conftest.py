"""Warehouses the dashboard tests read, each built once per session by the real `synapscale run`:

- `published` (tests/conftest.py): the hand-computed 7-call fixture, January 2025;
- `demo_published`: a small generated data set (the generator `make demo` uses, fewer events);
- `empty_published`: the pipeline run on an empty landing folder (a published serve file with no usage);

and `open_app`, which opens the app in Streamlit's AppTest as a link would: a serve file, a page, a query string.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import navigation
from tests.support.cli import Published, synapscale
from tests.support.paths import PROJECT_DIR

ENTRY = str(PROJECT_DIR / "app" / "streamlit_app.py")
PAGE_SCRIPTS = {spec.url_path: spec.script for spec in navigation.PAGES}
DEMO_ARGS = ("--events", "30000", "--days", "60", "--workspaces", "8", "--users", "80", "--seed", "42")

OpenApp = Callable[..., AppTest]


class Build:
    """`synapscale run` on a landing folder, started in the background so the session's builds overlap."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.landing, self.warehouse, self.log = landing, root / "warehouse", root / "run.log"
        with self.log.open("w") as log:  # a file, not a pipe: nobody reads the output until the run ends
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "synapscale",
                    "run",
                    "--landing",
                    str(landing),
                    "--warehouse",
                    str(self.warehouse),
                ],
                cwd=PROJECT_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def published(self) -> Published:
        returncode = self.process.wait(timeout=900)
        output = self.log.read_text()
        assert returncode == 0, f"synapscale run failed:\n{output[-5000:]}"
        done = subprocess.CompletedProcess(self.process.args, returncode, output, "")
        return Published(landing=self.landing, warehouse=self.warehouse, first_run=done)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def app_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Build]]:
    """Start the demo and the empty builds together, when the first of them is needed."""
    demo = tmp_path_factory.mktemp("demo")
    generated = synapscale("generate", *DEMO_ARGS, "--out", str(demo / "landing"))
    assert generated.returncode == 0, generated.stderr
    empty = tmp_path_factory.mktemp("empty")
    (empty / "landing").mkdir()
    builds = {"demo": Build(demo, demo / "landing"), "empty": Build(empty, empty / "landing")}
    try:
        yield builds
    finally:
        for build in builds.values():
            build.stop()


@pytest.fixture(scope="session")
def demo_published(app_builds: dict[str, Build]) -> Published:
    return app_builds["demo"].published()


@pytest.fixture(scope="session")
def empty_published(app_builds: dict[str, Build]) -> Published:
    return app_builds["empty"].published()


def as_lists(params: Mapping[str, str | Sequence[str]]) -> dict[str, list[str]]:
    return {name: [value] if isinstance(value, str) else list(value) for name, value in params.items()}


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> OpenApp:
    """open_app(serve_db, page="overview", **query) -> the AppTest after the page rendered, as opening
    /<page>?<query> in a new browser tab would."""

    def run(serve_db: Path, page: str = "overview", **query: str | Sequence[str]) -> AppTest:
        monkeypatch.setenv("SYNAPSCALE_SERVE_DB", str(serve_db))
        at = AppTest.from_file(ENTRY, default_timeout=60)
        at.query_params.update(as_lists(query))
        # Page url paths are the scripts' file names, so AppTest can open a page before its first run.
        return at.switch_page(PAGE_SCRIPTS[page]).run()

    return run


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def texts(at: AppTest, kind: str) -> list[str]:
    """The bodies of every element of one kind: info, warning, caption, error, ..."""
    return [element.value for element in getattr(at, kind)]


def assert_clean(at: AppTest) -> None:
    """No exception and no error box; and one CSV download per table on the page."""
    assert not at.exception, [exception.value for exception in at.exception]
    assert not at.error, texts(at, "error")
    assert len(at.get("download_button")) == len(at.dataframe)
