"""Warehouses the dashboard tests read, each built once per session by the real `synapscale run`:

- `published` (tests/conftest.py): the hand-computed 7-call fixture, January 2025;
- `demo_published`: a small generated data set (the generator `make demo` uses, fewer events);
- `empty_published`: the pipeline run on an empty landing folder (a published serve file with no usage);
- `local_published`: the 7-call fixture, one more Globex call, and workspace snapshots in São Paulo (UTC-3) and
  Kolkata (UTC+05:30), so each workspace's own days differ from UTC days (and Acme has a $4 budget);

and `open_app`, which opens the app in Streamlit's AppTest as a link would: a serve file, a page, a query string.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import navigation
from tests.support.cli import Published, synapscale
from tests.support.paths import FIXTURES, PROJECT_DIR

ENTRY = str(PROJECT_DIR / "app" / "streamlit_app.py")
PAGE_SCRIPTS = {spec.url_path: spec.script for spec in navigation.PAGES}
LOCAL_WORKSPACES = (
    "workspace_id,name,plan,monthly_budget_usd,timezone,created_at\n"
    "ws-acme,Acme Labs,enterprise,4.00,America/Sao_Paulo,2024-06-01T00:00:00Z\n"
    "ws-globex,Globex,team,1000,Asia/Kolkata,2024-02-10T00:00:00Z\n"
)
DEMO_ARGS = (
    *("--events", "30000", "--days", "60", "--workspaces", "8", "--users", "80", "--seed", "42"),
    *("--churn-rate", "0.25"),
)
# One call that spends far more than its workspace ever does (10M uncached input tokens on gpt-4o: $25), so the
# demo has a spend anomaly to mark on the Trends chart.
SPIKE = (
    '{"event_id": "evt-spike", "occurred_at": "2025-03-20T12:00:00Z", "workspace_id": "ws_0003", '
    '"user_id": "usr-spike", "provider": "openai", "model": "gpt-4o", "input_tokens": 10000000, "output_tokens": 0}\n'
)
# A Globex call at 19:00 UTC on 11 January: already 12 January (00:30) in Kolkata. gpt-4o-mini: 100k x 0.15 +
# 10k x 0.60 per 1M = 0.021.
KOLKATA_CALL = (
    '{"event_id": "evt-kolkata", "occurred_at": "2025-01-11T19:00:00Z", "workspace_id": "ws-globex", '
    '"user_id": "usr-chen", "provider": "openai", "model": "gpt-4o-mini", "input_tokens": 100000, '
    '"output_tokens": 10000}\n'
)

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
    (demo / "landing" / "usage_spike.jsonl").write_text(SPIKE)
    empty = tmp_path_factory.mktemp("empty")
    (empty / "landing").mkdir()
    local = tmp_path_factory.mktemp("local")
    shutil.copytree(FIXTURES / "landing", local / "landing")
    (local / "landing" / "workspaces.csv").write_text(LOCAL_WORKSPACES)
    (local / "landing" / "usage_kolkata.jsonl").write_text(KOLKATA_CALL)
    builds = {
        "demo": Build(demo, demo / "landing"),
        "empty": Build(empty, empty / "landing"),
        "local": Build(local, local / "landing"),
    }
    try:
        yield builds
    finally:
        for build in builds.values():
            build.stop()


@pytest.fixture(scope="session")
def demo_published(app_builds: dict[str, Build]) -> Published:
    return app_builds["demo"].published()


@pytest.fixture(scope="session")
def local_published(app_builds: dict[str, Build]) -> Published:
    return app_builds["local"].published()


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


@pytest.fixture
def open_clean(open_app: OpenApp) -> OpenApp:
    """open_app, then the page checked clean (`assert_clean`)."""

    def run(serve_db: Path, page: str = "overview", **query: str | Sequence[str]) -> AppTest:
        at = open_app(serve_db, page, **query)
        assert_clean(at)
        return at

    return run


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def texts(at: AppTest, kind: str) -> list[str]:
    """The bodies of every element of one kind: info, warning, caption, error, ..."""
    return [element.value for element in getattr(at, kind)]


def downloads(at: AppTest) -> list[str]:
    """The labels of the page's download buttons."""
    return [button.proto.label for button in at.get("download_button")]


def assert_clean(at: AppTest) -> None:
    """No exception and no error box; and one CSV download per table on the page (beside the FOCUS file)."""
    assert not at.exception, [exception.value for exception in at.exception]
    assert not at.error, texts(at, "error")
    tables = [label for label in downloads(at) if not label.startswith("Download FOCUS")]
    assert len(tables) == len(at.dataframe)


def frame(at: AppTest, title: str) -> pd.DataFrame:
    """The table whose CSV download is named `title` (tables and their downloads come in the same order)."""
    titles = [label for label in downloads(at) if not label.startswith("Download FOCUS")]
    return at.dataframe[titles.index(f"Download {title} (CSV)")].value


def without(serve_db: Path, destination: Path, relation: str) -> Path:
    """A copy of serve_db that lacks one relation (a publication from before that mart existed)."""
    shutil.copyfile(serve_db, destination)
    with duckdb.connect(str(destination)) as con:
        con.execute(f"drop table {relation}")
    return destination
