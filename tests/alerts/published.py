"""A published warehouse as the alert delivery sees it, written here without dbt: a serve file holding
`marts.alert_events` (the mart's columns and types, docs/marts/budgets.md), `marts.cost_hourly.usage_hour`
(the data's newest hour) and `meta.publication`, and an empty build file beside it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from synapscale import settings
from synapscale.settings import Settings

ALERT_EVENTS_DDL = """
create table marts.alert_events (
    alert_id varchar, alert_type varchar, workspace_id varchar, workspace_name varchar, period_month date,
    threshold_pct integer, occurred_at timestamptz, spend_usd decimal(38, 18), budget_usd decimal(38, 18),
    forecast_usd decimal(38, 18), severity varchar, message varchar
)
"""


@dataclass(frozen=True)
class Alert:
    workspace_id: str
    workspace_name: str | None
    month: str  # YYYY-MM
    threshold_pct: int
    occurred_at: str  # ISO, UTC
    spend_usd: str
    budget_usd: str

    @property
    def alert_id(self) -> str:
        key = f"{self.workspace_id}|{self.month}-01|budget_threshold|{self.threshold_pct}"
        return hashlib.md5(key.encode()).hexdigest()  # noqa: S324 (an id, as the mart makes it)

    @property
    def severity(self) -> str:
        return "critical" if self.threshold_pct >= 100 else "warning" if self.threshold_pct >= 80 else "info"

    @property
    def message(self) -> str:
        label = f"{self.workspace_name} ({self.workspace_id})" if self.workspace_name else self.workspace_id
        return f"{label} reached {self.threshold_pct}% of its budget (test fixture)."


def publish_alerts(warehouse: Path, alerts: list[Alert], newest_hour: str, run_id: str = "run-1") -> Settings:
    """(Re)write warehouse/serve.duckdb with these alerts, as a publication by `run_id` would hold them."""
    warehouse.mkdir(parents=True, exist_ok=True)
    serve = warehouse / "serve.duckdb"
    serve.unlink(missing_ok=True)
    with duckdb.connect(str(serve)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema marts; create schema meta")
        con.execute(ALERT_EVENTS_DDL)
        for alert in alerts:
            con.execute(
                "insert into marts.alert_events values (?, 'budget_threshold', ?, ?, ?::date, ?, ?::timestamptz, "
                "?::decimal(38, 18), ?::decimal(38, 18), null, ?, ?)",
                [alert.alert_id, alert.workspace_id, alert.workspace_name, f"{alert.month}-01", alert.threshold_pct,
                 alert.occurred_at, alert.spend_usd, alert.budget_usd, alert.severity, alert.message],
            )  # fmt: skip
        con.execute("create table marts.cost_hourly as select ?::timestamptz as usage_hour", [newest_hour])
        con.execute("create table meta.publication as select ? as run_id, 1 as published_version", [run_id])
    if not (warehouse / "build.duckdb").exists():
        duckdb.connect(str(warehouse / "build.duckdb")).close()
    return settings.from_env(landing=warehouse / "landing", warehouse=warehouse)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def money(text: str) -> Decimal:
    return Decimal(text)
