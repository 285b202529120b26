"""The data-access package's promises: SQL lives only there and reads only marts and meta; filter values are
bound, never spliced; a new publication (an atomic rename) is a new cache key, seen without a restart."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from app import data
from tests.app import expected
from tests.app.conftest import PAGE_SCRIPTS, OpenApp, assert_clean, metrics
from tests.support.cli import Published
from tests.support.paths import PROJECT_DIR

APP = PROJECT_DIR / "app"
SQL = re.compile(r"\b(select|insert|update|delete|attach)\b[^\n]*\b(from|into|set|as|where)\b", re.IGNORECASE)
OTHER_SCHEMAS = re.compile(r"\b(core|raw|seeds|main)\.[a-z_]+\b")


def test_sql_lives_only_in_the_data_package() -> None:
    outside = [path for path in APP.rglob("*.py") if "data" not in path.relative_to(APP).parts]
    assert outside, "the app's other modules were found"
    offenders = {str(path.relative_to(APP)): SQL.findall(path.read_text()) for path in outside}
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_data_package_reads_marts_and_meta_only() -> None:
    sources = {path.name: path.read_text() for path in (APP / "data").glob("*.py")}
    assert {name: OTHER_SCHEMAS.findall(text) for name, text in sources.items() if OTHER_SCHEMAS.search(text)} == {}
    assert any("marts." in text for text in sources.values())


def test_filter_values_are_bound_not_spliced(published: Published, tmp_path: Path) -> None:
    serve_db = tmp_path / "serve.duckdb"
    shutil.copyfile(published.serve_db, serve_db)
    before = serve_db.read_bytes()
    serve = data.current_serve(serve_db)
    assert serve is not None
    hostile = ("ws-acme') or true or ('", "'); drop table marts.cost_daily; --")
    filters = data.Filters(date(2025, 1, 1), date(2025, 1, 31), workspaces=hostile, models=hostile)
    figures = data.overview(serve, filters)
    assert (figures.calls, figures.spend_usd) == (0, Decimal(0))  # matched as text: no workspace has that id
    explorer = data.cost_explorer(serve, filters, "user")
    assert explorer.breakdown.is_empty() and explorer.top_workspaces.is_empty()
    assert data.invoices(serve, filters).is_empty()
    assert data.invoice_lines(serve, "' or '1'='1").is_empty()
    assert serve_db.read_bytes() == before


def test_a_new_publication_is_seen_at_once(published: Published, demo_published: Published, tmp_path: Path) -> None:
    serve_db = tmp_path / "serve.duckdb"
    shutil.copyfile(published.serve_db, serve_db)
    everything = data.Filters(date(2024, 1, 1), date(2025, 12, 31))
    first = data.current_serve(serve_db)
    assert first is not None
    assert data.overview(first, everything).calls == 7
    assert data.overview(first, everything).calls == 7  # cached: same publication
    # Publish as the pipeline does: a complete new file renamed over the old one.
    shutil.copyfile(demo_published.serve_db, tmp_path / ".serve.duckdb.tmp")
    os.replace(tmp_path / ".serve.duckdb.tmp", serve_db)
    second = data.current_serve(serve_db)
    assert second is not None and second.identity != first.identity
    demo_calls = data.snapshot(second).publication.usage_log_rows
    assert data.overview(second, everything).calls == demo_calls
    assert data.snapshot(second).choices["utc"].last_day == date(2025, 3, 31)


def test_the_first_load_after_a_publication_finds_it_warm(
    open_app: OpenApp, published: Published, demo_published: Published, tmp_path: Path
) -> None:
    """A new publication is opened and its default views computed before viewers are switched to it: until then
    they see the previous one, and then the first load of every page runs no query of its own."""
    serve_db = tmp_path / "serve.duckdb"
    shutil.copyfile(published.serve_db, serve_db)
    assert metrics(open_app(serve_db))["Total spend"] == "$7.99"  # the fixture's 7 calls: 7.986
    shutil.copyfile(demo_published.serve_db, tmp_path / ".serve.duckdb.tmp")
    os.replace(tmp_path / ".serve.duckdb.tmp", serve_db)
    newest = data.current_serve(serve_db)
    assert newest is not None

    meanwhile = open_app(serve_db)  # the new file is being warmed: this viewer is served the previous one
    assert_clean(meanwhile)
    assert metrics(meanwhile)["Total spend"] == "$7.99"

    data.wait_until_warm(serve_db)
    assert data.source.is_open(newest)  # opened by the warming, before any viewer saw it
    opened_by_warming = data.source.connections(newest)
    assert opened_by_warming > 0
    hourly = expected.table(demo_published.serve_db, "marts.cost_hourly")
    want = expected.totals(expected.default_scope(hourly).apply(hourly))
    first = open_app(serve_db)
    assert_clean(first)
    assert metrics(first)["Total spend"] == expected.dollars(want["spend"])  # the new publication
    for page in PAGE_SCRIPTS:
        assert_clean(open_app(serve_db, page=page))
    assert data.source.connections(newest) == opened_by_warming, "a page load queried the new publication itself"
