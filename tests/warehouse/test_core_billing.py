"""Closing a billing period: late usage lands in usage_logs and in the daily spend, but a closed invoice never
changes; the late charge is an adjustment in the first open period. Figures worked out by hand below.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from tests.support.warehouse import create_raw, insert_raw, query, run_dbt

CLOSED = {"closed_billing_period": "2025-02-01"}  # January and February 2025 are closed

INVOICE_SQL = (
    "select billing_period::varchar, usage_usd, adjustment_usd, total_usd, total_unrounded_usd,"
    " billing_events from marts.invoices where workspace_id = 'w1' order by billing_period"
)
JAN_29_SPEND_SQL = "select sum(cost_usd) from marts.cost_daily where workspace_id = 'w1' and usage_date = '2025-01-29'"


def call(event_id: str, occurred_at: str, cost: str, message: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "occurred_at": occurred_at,
        "workspace_id": "w1",
        "user_id": "u1",
        "conversation_id": "c1",
        "message_id": message,
        "provider": "openai",
        "model": "gpt-4o",
        "input_tokens": 500,
        "output_tokens": 100,
        "provider_cost_usd": cost,
    }


def test_late_usage_after_close_is_an_adjustment_and_closed_invoices_do_not_change(tmp_path: Path) -> None:
    db = create_raw(tmp_path / "build.duckdb")

    # 1. Everything up to the end of February arrives on time and is billed in its own month.
    insert_raw(
        db,
        "usage_events",
        [
            call("j1", "2025-01-29T10:00:00Z", "0.002", "m1"),
            call("j2", "2025-01-10T09:00:00Z", "1.003", "m2"),
            call("f1", "2025-02-14T15:00:00Z", "2.000", "m3"),
        ],
        ingested_at="2025-02-28T23:00:00Z",
    )
    run_dbt(db, "build")
    # January: 0.002 + 1.003 = 1.005, rounded half-even once -> 1.00 (half-up would say 1.01)
    january = ("2025-01-01", Decimal("1.00"), Decimal("0.00"), Decimal("1.00"), Decimal("1.005"), 2)
    february = ("2025-02-01", Decimal("2.00"), Decimal("0.00"), Decimal("2.00"), Decimal("2"), 1)
    assert query(db, INVOICE_SQL) == [january, february]
    assert query(db, JAN_29_SPEND_SQL) == [(Decimal("0.002"),)]

    # 2. January and February are closed. On 2025-03-10 a call made 40 days earlier (2025-01-29) arrives,
    #    with an ordinary March call.
    insert_raw(
        db,
        "usage_events",
        [
            call("late", "2025-01-29T12:00:00Z", "0.25", "m4"),
            call("mar1", "2025-03-09T08:00:00Z", "0.5", "m5"),
        ],
        ingested_at="2025-03-10T12:00:00Z",
    )
    run_dbt(db, "build", vars=CLOSED)

    # it is in usage_logs, with its real time
    assert query(db, "select occurred_at::varchar, cost_usd from core.usage_logs where event_id = 'late'") == [
        ("2025-01-29 12:00:00+00", Decimal("0.25")),
    ]
    # its day's spend is updated: 0.002 + 0.25
    assert query(db, JAN_29_SPEND_SQL) == [(Decimal("0.252"),)]
    # the closed invoices are unchanged; March carries usage 0.50 and the adjustment 0.25
    march = ("2025-03-01", Decimal("0.50"), Decimal("0.25"), Decimal("0.75"), Decimal("0.75"), 2)
    assert query(db, INVOICE_SQL) == [january, february, march]
    assert query(
        db,
        "select billing_event_id, event_type, service_period::varchar, billing_period::varchar, amount_usd"
        " from core.billing_events where event_id = 'late'",
    ) == [("adjustment:late", "adjustment", "2025-01-01", "2025-03-01", Decimal("0.25"))]
    assert query(db, "select billing_period::varchar, is_period_closed from marts.invoices order by 1") == [
        ("2025-01-01", True),
        ("2025-02-01", True),
        ("2025-03-01", False),
    ]

    # 3. A --full-refresh rebuilds usage_logs but leaves the billing ledger alone (full_refresh=false), so the
    #    closed invoices and the adjustment survive it.
    run_dbt(db, "build", vars=CLOSED, full_refresh=True)
    assert query(db, INVOICE_SQL) == [january, february, march]
    assert query(db, "select count(*) from core.usage_logs") == [(5,)]


def _build_ledger(db: Path) -> None:
    """core.billing_events and what it is built from, seeds included, without tests (they need the rest)."""
    run_dbt(
        db, "build", select=["+billing_events"], extra=["--exclude", "resource_type:test", "resource_type:unit_test"]
    )


def _compiled_billing(db: Path) -> str:
    """The SQL dbt compiled for core.billing_events in its last invocation on `db` (run_dbt's work dir)."""
    return next((db.parent / f"dbt_{db.stem}" / "target" / "compiled").rglob("billing_events.sql")).read_text()


def test_incremental_billing_compares_new_calls_unless_usage_logs_was_repriced(tmp_path: Path) -> None:
    db = create_raw(tmp_path / "build.duckdb")
    insert_raw(
        db,
        "usage_events",
        [call("j1", "2025-01-29T10:00:00Z", "0.002", "m1"), call("f1", "2025-02-14T15:00:00Z", "2.000", "m2")],
        ingested_at="2025-02-28T23:00:00Z",
    )
    _build_ledger(db)

    # 1. A new call: the billed calls add up to usage_logs, so only the calls loaded after the newest billed call
    #    (2025-02-28 23:00) are compared, and the new one is billed.
    insert_raw(
        db, "usage_events", [call("m1", "2025-03-09T08:00:00Z", "0.5", "m3")], ingested_at="2025-03-10T12:00:00Z"
    )
    _build_ledger(db)
    assert "ingested_at > '2025-02-28 23:00:00+00'::timestamptz" in _compiled_billing(db)
    ledger = "select billing_event_id, billing_period::varchar, amount_usd from core.billing_events order by 1"
    assert query(db, ledger) == [
        ("usage:f1", "2025-02-01", Decimal("2.000")),
        ("usage:j1", "2025-01-01", Decimal("0.002")),
        ("usage:m1", "2025-03-01", Decimal("0.5")),
    ]

    # 2. usage_logs re-priced f1 outside this invocation (as `dbt run -s usage_logs --full-refresh` after a price
    #    correction would): the billed calls no longer add up, so the next run compares every priced call and
    #    bills the 0.75 difference as f1's second billing row, in February (no period is closed).
    with duckdb.connect(str(db)) as con:
        con.execute("update core.usage_logs set cost_usd = 2.75 where event_id = 'f1'")
    _build_ledger(db)
    assert "ingested_at > '-infinity'::timestamptz" in _compiled_billing(db)
    assert query(db, ledger) == [
        ("adjustment:f1:2", "2025-02-01", Decimal("0.750")),
        ("usage:f1", "2025-02-01", Decimal("2.000")),
        ("usage:j1", "2025-01-01", Decimal("0.002")),
        ("usage:m1", "2025-03-01", Decimal("0.5")),
    ]

    # 3. Now they add up again: the next run is back to the new calls only.
    _build_ledger(db)
    assert "ingested_at > '2025-03-10 12:00:00+00'::timestamptz" in _compiled_billing(db)
