"""While the real `synapscale run` rebuilds and publishes (a subprocess, twice), page loads keep coming, see
zero errors and only ever a complete publication; the running app sees each new publication without a
restart. The second run bills a late call of a closed month, which the Invoices page shows as an adjustment."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from app import data
from tests.app.conftest import PAGE_SCRIPTS, OpenApp, assert_clean, metrics, texts
from tests.support.cli import Published, private_copy, synapscale
from tests.support.paths import PROJECT_DIR

# A call from 20 January lands after January was closed: gpt-4o-mini, 100k x 0.15 + 10k x 0.60 per 1M = 0.021
LATE_CALL = (
    '{"event_id": "evt-late", "occurred_at": "2025-01-20T10:00:00Z", "workspace_id": "ws-acme", '
    '"user_id": "usr-ana", "provider": "openai", "model": "gpt-4o-mini", "input_tokens": 100000, '
    '"output_tokens": 10000}\n'
)
BEFORE, AFTER = "$7.99", "$8.01"  # 7.986, then 7.986 + 0.021 = 8.007


def load_while_running(open_app: OpenApp, serve_db: Path, landing: Path, warehouse: Path, *flags: str) -> list[str]:
    """Start `synapscale run [flags]`, load every page until it exits; return the Overview totals seen. Fails on
    any page error, or when the run fails."""
    run = subprocess.Popen(
        [sys.executable, "-m", "synapscale", "run", "--landing", str(landing), "--warehouse", str(warehouse), *flags],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: list[str] = []
    # The Overview between every other page: its total is sampled every second load, not once per tour of
    # the pages, so a short incremental run still sees it several times.
    others = [page for page in PAGE_SCRIPTS if page != "overview"]
    pages = itertools.cycle([visit for page in others for visit in ("overview", page)])
    try:
        while run.poll() is None:
            page = next(pages)
            at = open_app(serve_db, page=page)
            assert_clean(at)
            if page == "overview":
                seen.append(metrics(at)["Total spend"])
            time.sleep(1.5)  # a viewer's pace: a tight loop would starve the run of the machine's two cores
    finally:
        if run.poll() is None:
            run.kill()
        run.wait()
    assert run.returncode == 0, "synapscale run failed during the page loads"
    print(f"{len(seen)} Overview loads ({2 * len(seen)} page loads) during the run")
    return seen


def test_page_loads_during_two_publications_see_no_error(
    open_app: OpenApp, published: Published, tmp_path: Path
) -> None:
    landing, warehouse = private_copy(published, tmp_path)
    serve_db = warehouse / "serve.duckdb"
    session = open_app(serve_db)  # one viewer who keeps the tab open through both publications
    assert metrics(session)["Total spend"] == BEFORE
    identity = serve_db.stat().st_ino

    # 1: a rebuild with nothing new publishes a new file with the same figures (--full-refresh: with nothing
    # new, a plain run would skip dbt and be over before the loop came round to the Overview twice).
    seen = load_while_running(open_app, serve_db, landing, warehouse, "--full-refresh")
    assert serve_db.stat().st_ino != identity, "the run published a new file"
    assert len(seen) >= 2 and set(seen) == {BEFORE}

    # 2: January is closed, then a late January call lands: the run bills it in February as an adjustment.
    closed = synapscale("billing", "close", "2025-01", "--warehouse", str(warehouse))
    assert closed.returncode == 0, closed.stderr
    (landing / "late.jsonl").write_text(LATE_CALL)
    seen = load_while_running(open_app, serve_db, landing, warehouse)
    assert len(seen) >= 2 and set(seen) <= {BEFORE, AFTER}  # the old publication or the new one, never a mix
    data.wait_until_warm(serve_db)  # viewers are switched to a new publication once it is warm
    assert metrics(open_app(serve_db))["Total spend"] == AFTER  # a new tab opens on the new last 30 days

    # The tab kept open sees the new publication on its next interaction, without a restart: its range
    # stays the one it chose (10-12 January), and the date picker now reaches the February invoice.
    def data_as_of() -> list[str]:
        return [caption for caption in texts(session, "caption") if caption.startswith("Data as of")]

    before = data_as_of()
    session.run()  # the viewer's next interaction
    assert_clean(session)
    assert data_as_of() != before
    assert metrics(session)["Total spend"] == BEFORE
    assert session.sidebar.date_input(key="filter.range").max == date(2025, 2, 28)  # February is billed now
    session.sidebar.date_input(key="filter.range").set_value((date(2025, 1, 10), date(2025, 1, 20))).run()
    assert metrics(session)["Total spend"] == AFTER
    invoices = open_app(serve_db, page="invoices", **{"from": "2025-02-01", "to": "2025-02-28"})
    assert_clean(invoices)
    shown = metrics(invoices)
    assert shown["Adjustments"] == "$0.02"  # 0.021, half-even
    assert shown["Billed"] == "$0.02"
    table = invoices.dataframe[0].value
    assert list(table["workspace_id"]) == ["ws-acme"]
    assert (table["usage_usd"][0], table["adjustment_usd"][0]) == (Decimal("0.00"), Decimal("0.02"))
    january = open_app(serve_db, page="invoices", **{"from": "2025-01-01", "to": "2025-01-31"})
    assert metrics(january)["Billed"] == BEFORE  # a closed month's invoices never change
