"""What a sink receives: the alert as a JSON record (money as exact decimal text), and the Slack-compatible
webhook body built from it (`text` for notifications and plain receivers, `blocks` for Slack, `metadata` with
the record for programs)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

# The alert's fields, in the order of marts.alert_events (docs/marts/budgets.md).
FIELDS = (
    "alert_id",
    "alert_type",
    "severity",
    "workspace_id",
    "workspace_name",
    "period_month",
    "threshold_pct",
    "occurred_at",
    "spend_usd",
    "budget_usd",
    "forecast_usd",
    "message",
)
MONEY_FIELDS = ("spend_usd", "budget_usd", "forecast_usd")
EVENT_TYPE = "synapscale_spend_alert"
TITLES = {"forecast_overrun": "Forecast over budget", "spend_anomaly": "Spend anomaly", "test": "Test alert"}
HEADER_LIMIT = 150  # Slack's limit for a header block's text


def format_usd(value: Decimal) -> str:
    """Money as the marts' messages show it: `$1,234.57`, rounded half-even to cents (`-$3.20` below 0)."""
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return f"{'-' if cents < 0 else ''}${abs(cents):,.2f}"


def decimal_text(value: Decimal) -> str:
    """The exact amount as text, trailing zeros trimmed to cents: 12.000 -> '12.00', 1234.5650 -> '1234.565'."""
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def record(row: dict[str, Any]) -> dict[str, Any]:
    """The alert as JSON-ready values: money as exact decimal text, the month as YYYY-MM-DD, times in UTC ISO."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = row.get(name)
        if name in MONEY_FIELDS and value is not None:
            value = decimal_text(Decimal(value))
        elif isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


def encode(alert: dict[str, Any]) -> str:
    """One line of JSON (the JSONL sink's line, the outbox's `payload`)."""
    return json.dumps(alert, ensure_ascii=False, separators=(", ", ": "))


def webhook_body(alert: dict[str, Any]) -> dict[str, Any]:
    """The Slack-compatible body (incoming webhooks accept text, blocks and metadata)."""
    workspace = _workspace_label(alert)
    title = TITLES.get(alert["alert_type"], f"Budget {alert.get('threshold_pct')}% reached")
    fields = [("Workspace", workspace), ("Severity", alert["severity"])]
    if alert.get("period_month"):
        fields.append(("Month", alert["period_month"][:7]))
    if alert.get("threshold_pct") is not None:
        fields.append(("Threshold", f"{alert['threshold_pct']}%"))
    for name, label in (("spend_usd", "Spend"), ("budget_usd", "Budget"), ("forecast_usd", "Forecast")):
        if alert.get(name) is not None:
            fields.append((label, format_usd(Decimal(alert[name]))))
    if alert.get("occurred_at"):
        fields.append(("When", _utc_hour(alert["occurred_at"])))
    header = f"{title}: {workspace}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": _truncate(header, HEADER_LIMIT)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": alert["message"]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"SynapScale alert `{alert['alert_id']}`"}]},
    ]
    return {
        "text": alert["message"],
        "blocks": blocks,
        "metadata": {"event_type": EVENT_TYPE, "event_payload": alert},
    }


def _workspace_label(alert: dict[str, Any]) -> str:
    name, workspace_id = alert.get("workspace_name"), alert.get("workspace_id")
    return f"{name} ({workspace_id})" if name else str(workspace_id)


def _utc_hour(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
