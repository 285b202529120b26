"""Invoices through AppTest: per workspace and month, the lines of one invoice, against hand-computed figures
and polars over the demo's invoices mart. (Adjustments after a closed month: tests/app/test_publish_loop.py.)"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import polars as pl

from app import data
from tests.app import expected
from tests.app.conftest import OpenApp, downloads, metrics, texts
from tests.support.cli import Published


def test_january_invoices_hand_computed(open_clean: OpenApp, published: Published) -> None:
    at = open_clean(published.serve_db, page="invoices")
    # ws-acme 0.435 + 1.75 + 0.036 + 0.015 = 2.236 -> 2.24; ws-globex 4.50 + 1.25 = 5.75 (unpriced: nothing)
    assert {name: metrics(at)[name] for name in ("Invoices", "Billed", "Adjustments")} == {
        "Invoices": "2",
        "Billed": "$7.99",
        "Adjustments": "$0.00",
    }
    invoices, lines = (frame.value for frame in at.dataframe)
    assert dict(zip(invoices["workspace_id"], invoices["total_usd"], strict=True)) == {
        "ws-globex": Decimal("5.75"),
        "ws-acme": Decimal("2.24"),
    }
    assert [month.date() for month in invoices["billing_period"]] == [date(2025, 1, 1)] * 2
    assert list(invoices["status"]) == ["Open", "Open"]
    # The largest invoice is shown first: ws-globex, one gpt-4o line (computed and provider-reported together)
    assert list(zip(lines["model"], lines["event_type"], lines["amount_usd"], strict=True)) == [
        ("gpt-4o", "usage", Decimal("5.75"))
    ]


def test_a_link_picks_the_invoice_and_the_workspace(open_clean: OpenApp, published: Published) -> None:
    acme = expected.table(published.serve_db, "marts.invoices").filter(workspace_id="ws-acme")["invoice_id"][0]
    at = open_clean(published.serve_db, page="invoices", workspace="ws-acme", invoice=acme)
    assert metrics(at)["Billed"] == "$2.24"
    lines = at.dataframe[1].value
    assert dict(zip(lines["model"], lines["amount_usd"], strict=True)) == {
        "claude-3-haiku": Decimal("1.75"),
        "gpt-4o-mini": Decimal("0.45"),  # 0.435 + 0.015
        "gemini-1.5-flash": Decimal("0.04"),  # 0.036
    }
    assert at.query_params["invoice"] == acme
    assert at.selectbox(key="page.invoice").value == acme


def test_a_link_naming_an_unknown_workspace_says_so(open_clean: OpenApp, published: Published) -> None:
    at = open_clean(published.serve_db, page="invoices", workspace="ws-nobody")
    assert any("no workspace `ws-nobody` in the data" in warning for warning in texts(at, "warning"))
    assert metrics(at)["Invoices"] == "2"  # the unknown workspace is dropped, so all workspaces are shown


def test_demo_invoices_for_the_months_the_range_touches(open_clean: OpenApp, demo_published: Published) -> None:
    invoices = expected.table(demo_published.serve_db, "marts.invoices")
    at = open_clean(demo_published.serve_db, page="invoices", **{"from": "2025-01-20", "to": "2025-02-10"})
    months = invoices.filter(invoices["billing_period"].is_in([date(2025, 1, 1), date(2025, 2, 1)]))
    shown = metrics(at)
    assert shown["Invoices"] == f"{months.height:,}"
    assert shown["Billed"] == expected.dollars(months["total_usd"].sum())
    table = at.dataframe[0].value
    months_shown = [month.date() for month in table["billing_period"]]
    assert sorted(zip(table["workspace_id"], months_shown, table["total_usd"], strict=True)) == sorted(
        months.select("workspace_id", "billing_period", "total_usd").iter_rows()
    )


def test_the_focus_download_is_the_months_focus_charges(demo_published: Published) -> None:
    serve = data.current_serve(demo_published.serve_db)
    assert serve is not None
    mart = expected.table(demo_published.serve_db, "marts.focus_charges").filter(
        pl.col("x_BillingPeriod") == date(2025, 3, 1)
    )
    rows = list(csv.DictReader(io.StringIO(data.focus_csv(serve, date(2025, 3, 1)).decode())))
    assert len(rows) == mart.height > 0
    assert sum(Decimal(row["BilledCost"]) for row in rows) == mart["BilledCost"].sum()
    assert {row["x_BillingPeriod"] for row in rows} == {"2025-03-01"}
    assert "x_LastIngestedAt" not in rows[0]


def test_invoices_offer_the_focus_file_per_month(open_clean: OpenApp, demo_published: Published) -> None:
    link = {"from": "2025-02-01", "to": "2025-03-31", "focus_month": "2025-02"}
    at = open_clean(demo_published.serve_db, page="invoices", **link)
    assert at.selectbox(key="page.focus_month").value == "2025-02"
    assert "Download FOCUS 2025-02 (CSV)" in downloads(at)
