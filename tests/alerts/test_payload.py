"""What a receiver gets, read off a real HTTP server and a real JSONL file, against values written out by hand:
the Slack-compatible body (text, blocks, metadata), the headers, and money rounded half-even to cents."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

from synapscale.alerts.config import AlertConfig
from synapscale.alerts.deliver import deliver_published
from synapscale.alerts.payload import decimal_text, format_usd
from tests.alerts.published import Alert, publish_alerts
from tests.support.webhook import Receiver

# 1,234.565 rounds half-even to 1,234.56 (6 is even); 12,345.675 to 12,345.68 (7 is odd)
GAMMA = Alert("ws-gamma", "Gamma & Sons", "2025-03", 80, "2025-03-09T22:00:00Z", "1234.565", "1500")
DELTA = Alert("ws-delta", None, "2025-03", 100, "2025-03-10T08:00:00Z", "12345.675", "12000")


def test_the_webhook_body_names_the_workspace_threshold_and_amounts_as_money(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [GAMMA, DELTA], "2025-03-10T09:00:00Z")
    with Receiver() as receiver:
        deliver_published(settings, AlertConfig(webhook_url=receiver.url), progress=lambda line: None)
    first, second = receiver.requests
    assert first.path == "/hooks/spend"
    assert first.headers["content-type"] == "application/json; charset=utf-8"
    assert first.headers["idempotency-key"] == first.headers["x-synapscale-alert-id"] == GAMMA.alert_id
    body = first.body
    assert body["text"] == GAMMA.message
    header, message, facts, context = body["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Budget 80% reached: Gamma & Sons (ws-gamma)"},
    }
    assert message == {"type": "section", "text": {"type": "mrkdwn", "text": GAMMA.message}}
    assert [field["text"] for field in facts["fields"]] == [
        "*Workspace*\nGamma & Sons (ws-gamma)",
        "*Severity*\nwarning",
        "*Month*\n2025-03",
        "*Threshold*\n80%",
        "*Spend*\n$1,234.56",
        "*Budget*\n$1,500.00",
        "*When*\n2025-03-09 22:00 UTC",
    ]
    assert GAMMA.alert_id in context["elements"][0]["text"]
    assert body["metadata"] == {
        "event_type": "synapscale_spend_alert",
        "event_payload": {
            "alert_id": GAMMA.alert_id,
            "alert_type": "budget_threshold",
            "severity": "warning",
            "workspace_id": "ws-gamma",
            "workspace_name": "Gamma & Sons",
            "period_month": "2025-03-01",
            "threshold_pct": 80,
            "occurred_at": "2025-03-09T22:00:00Z",
            "spend_usd": "1234.565",
            "budget_usd": "1500.00",
            "forecast_usd": None,
            "message": GAMMA.message,
        },
    }
    assert second.body["blocks"][0]["text"]["text"] == "Budget 100% reached: ws-delta"
    facts = [field["text"] for field in second.body["blocks"][2]["fields"]]
    assert "*Spend*\n$12,345.68" in facts and "*Budget*\n$12,000.00" in facts and "*Severity*\ncritical" in facts


def test_a_spend_anomaly_has_its_own_title_and_no_budget_fields(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [], "2025-03-23T09:00:00Z")
    with duckdb.connect(str(settings.serve_db)) as con:
        con.execute(
            "insert into marts.alert_events values ('a1', 'spend_anomaly', 'ws-gamma', 'Gamma & Sons', "
            "date '2025-03-01', null, timestamptz '2025-03-23 00:00:00+00', 48.125, null, null, 'warning', 'spiked')"
        )
    with Receiver() as receiver:
        deliver_published(settings, AlertConfig(webhook_url=receiver.url), progress=lambda line: None)
    (request,) = receiver.requests
    header, _, facts, _ = request.body["blocks"]
    assert header["text"]["text"] == "Spend anomaly: Gamma & Sons (ws-gamma)"
    assert [field["text"] for field in facts["fields"]] == [
        "*Workspace*\nGamma & Sons (ws-gamma)",
        "*Severity*\nwarning",
        "*Month*\n2025-03",
        "*Spend*\n$48.12",
        "*When*\n2025-03-23 00:00 UTC",
    ]


def test_the_jsonl_line_is_the_same_record_with_exact_amounts(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [GAMMA], "2025-03-10T09:00:00Z")
    file = tmp_path / "out" / "alerts.jsonl"
    deliver_published(settings, AlertConfig(jsonl_path=file), progress=lambda line: None)
    (line,) = file.read_text().splitlines()
    record = json.loads(line)
    assert (record["workspace_id"], record["threshold_pct"], record["spend_usd"]) == ("ws-gamma", 80, "1234.565")
    assert Decimal(record["spend_usd"]) / Decimal(record["budget_usd"]) >= Decimal("0.8")


def test_money_formatting_rounds_half_even_like_the_marts() -> None:
    assert [format_usd(Decimal(v)) for v in ("0.005", "0.015", "1234.565", "-3.2", "1000000")] == [
        "$0.00",
        "$0.02",
        "$1,234.56",
        "-$3.20",
        "$1,000,000.00",
    ]
    assert [decimal_text(Decimal(v)) for v in ("12.000000", "1234.5650", "0E-18")] == ["12.00", "1234.565", "0.00"]
