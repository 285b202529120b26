"""The dashboard, rendered by Streamlit's AppTest against the warehouse `synapscale run` published."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.cli import Published
from tests.support.paths import PROJECT_DIR

ENTRY = str(PROJECT_DIR / "app" / "streamlit_app.py")


@pytest.fixture
def app(published: Published, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SYNAPSCALE_SERVE_DB", str(published.serve_db))
    return AppTest.from_file(ENTRY, default_timeout=30)


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_overview_shows_hand_computed_totals(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    shown = metrics(at)
    # 0.435 + 1.75 + 4.50 + 1.25 + 0.036 + 0.015 = 7.986 USD (the unknown model adds nothing, and is flagged)
    assert shown["Total spend"] == "$7.99"
    assert shown["Calls"] == "7"
    assert shown["Active users"] == "3"
    assert any("1 call has no price" in warning.value for warning in at.warning)


def test_overview_filters_by_workspace(app: AppTest) -> None:
    at = app.run()
    at.sidebar.multiselect[0].select("ws-globex").run()
    shown = metrics(at)
    assert shown["Total spend"] == "$5.75"  # gpt-4o 4.50 computed + 1.25 provider-reported
    assert shown["Calls"] == "2"
    assert shown["Active users"] == "1"


def test_overview_without_published_data_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SYNAPSCALE_SERVE_DB", str(tmp_path / "missing.duckdb"))
    at = AppTest.from_file(ENTRY, default_timeout=30).run()
    assert not at.exception
    assert any("synapscale run" in info.value for info in at.info)
