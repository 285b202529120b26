"""The dashboard in a real browser: `streamlit run` on loopback, Debian's Chromium headless (Playwright's
client, no browser download). Every page renders without exception text and is photographed; a shared link
restores every filter; a table's CSV download holds what the table shows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from app import navigation
from tests.app import expected
from tests.app.serving import chromium, failures, get, screenshot, streamlit_server, wait_rendered
from tests.support.cli import Published

ARTIFACTS = "browser-screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def demo_server(demo_published: Published) -> Iterator[str]:
    with streamlit_server(demo_published.serve_db) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    errors: list[str] = []
    tab = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_server_answers_on_root_and_health(demo_server: str) -> None:
    assert get(f"{demo_server}/") == 200
    assert get(f"{demo_server}/_stcore/health") == 200


@pytest.mark.parametrize("spec", navigation.PAGES, ids=lambda spec: spec.url_path)
def test_every_page_renders_and_is_photographed(
    demo_server: str, page: Page, spec: navigation.PageSpec, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.goto(f"{demo_server}/{'' if spec == navigation.PAGES[0] else spec.url_path}")
    wait_rendered(page, spec.title)
    assert failures(page) == []
    assert page.get_by_text("Data as of 20").count() == 1
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    shots = tmp_path_factory.getbasetemp() / ARTIFACTS
    shots.mkdir(exist_ok=True)
    screenshot(page, shots / f"{spec.url_path}.png")
    assert (shots / f"{spec.url_path}.png").stat().st_size > 20_000


def chips(page: Page, label: str) -> list[str]:
    """The values a sidebar multiselect shows as selected, in order."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label)
    return [tag.get_attribute("aria-label") or "" for tag in box.locator(".react-aria-ComboBox [data-tag]").all()]


def test_a_shared_link_restores_every_filter(demo_server: str, demo_published: Published, page: Page) -> None:
    hourly = expected.table(demo_published.serve_db, "marts.cost_hourly")
    busiest = hourly.group_by("workspace_id").len().sort("len", descending=True)["workspace_id"].head(2).to_list()
    names = dict(
        expected.table(demo_published.serve_db, "marts.invoices").select("workspace_id", "workspace_name").iter_rows()
    )
    link = {
        "from": ["2025-02-03"],
        "to": ["2025-02-23"],
        "days": ["utc"],
        "workspace": busiest,
        "provider": ["openai", "anthropic"],
        "model": ["gpt-4o", "claude-3-haiku", "gpt-4o-mini"],
        "by": ["provider"],
    }
    query_string = "&".join(f"{name}={value}" for name, values in link.items() for value in values)
    page.goto(f"{demo_server}/cost_explorer?{query_string}")
    wait_rendered(page, "Cost explorer")
    assert failures(page) == []
    assert query(page.url) == link  # nothing dropped, nothing added
    dates = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"] input')
    assert [field.input_value() for field in dates.all()] == ["2025-02-03", "2025-02-23"]
    assert chips(page, "Workspaces") == [f"{names[ws]} ({ws})" for ws in busiest]
    assert chips(page, "Providers") == ["openai", "anthropic"]
    assert chips(page, "Models") == ["gpt-4o", "claude-3-haiku", "gpt-4o-mini"]
    assert page.locator('[data-testid="stButtonGroup"] [aria-checked="true"]').all_inner_texts() == ["Provider"]
    # The same filters drive the figures, and survive a click to another page.
    page.get_by_role("link", name="Overview").click()
    wait_rendered(page, "Overview")
    scope = expected.Scope(
        date(2025, 2, 3), date(2025, 2, 23), tuple(busiest), ("openai", "anthropic"), tuple(link["model"])
    )
    want = expected.totals(scope.apply(hourly))
    total = page.locator('[data-testid="stMetric"]').filter(has_text="Total spend")
    assert expected.dollars(want["spend"]) in total.inner_text()
    assert query(page.url) == {name: values for name, values in link.items() if name != "by"}
    assert chips(page, "Models") == ["gpt-4o", "claude-3-haiku", "gpt-4o-mini"]


def test_the_hand_computed_total_and_its_csv_download(published: Published, page: Page, tmp_path: Path) -> None:
    with streamlit_server(published.serve_db) as url:
        page.goto(url)
        wait_rendered(page, "Overview")
        total = page.locator('[data-testid="stMetric"]').filter(has_text="Total spend")
        assert "$7.99" in total.inner_text()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download spend by model (CSV)").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    with saved.open(newline="") as handle:
        rows = {row["model"]: row for row in csv.DictReader(handle)}
    assert {model: Decimal(row["spend_usd"]) for model, row in rows.items()} == {
        "gpt-4o": Decimal("5.75"),
        "claude-3-haiku": Decimal("1.75"),
        "gpt-4o-mini": Decimal("0.45"),
        "gemini-1.5-flash": Decimal("0.04"),
        "unresolved:mystery-model-x": Decimal("0.00"),
    }
    assert rows["gpt-4o"]["spend_usd"] == "5.75"  # to the cent, not a float
