"""The budget and churn marts against independent figures, on a generated data set of 120k events with churners.

The oracle reads the landed files with polars, prices every call with the Decimal reference
(tests/support/cost_reference.py, which reads the price CSV itself), resolves the generator's raw model names
with a mapping written here by hand, and recomputes the budget threshold crossings and forecast overruns of
docs/marts/budgets.md. The budgets come from a test seed written into a project copy (every rule of precedence
used). The warehouse is built in two runs (everything but March 2025, then March and the feedback), as the
scheduler would: alerts of earlier months must come out of the second run unchanged. The churn score is scored
against the generator's ground truth (ROC AUC).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ingest.load import ingest_paths
from synapscale.generate import GeneratorConfig, write_dataset
from tests.support.cost_reference import LLM_ID_OF_RAW_NAME, expected_cost, load_prices
from tests.support.ingest import quiet
from tests.support.warehouse import copy_project, read_table, run_dbt

CONFIG = GeneratorConfig(events=120_000, days=150, workspaces=60, users=600, seed=2025, churn_rate=0.2)
LAST_MONTH = "2025-03"
THRESHOLDS = (50, 80, 100)
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class Built:
    db_path: Path
    landing: Path
    hourly: dict[str, dict[datetime, Decimal]]  # workspace -> UTC hour -> spend (every hour with a call)
    budgets: dict[tuple[str, date], Decimal | None]  # (workspace, month) -> budget; absent = no budget
    first_alerts: pl.DataFrame  # alert_events after the first run


def _month(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def _hourly_spend(landing: Path, seeds_dir: Path) -> dict[str, dict[datetime, Decimal]]:
    usage = pl.concat([pl.read_parquet(f) for f in sorted(landing.glob("usage_*.parquet"))])
    prices = load_prices(seeds_dir)
    hourly: dict[str, dict[datetime, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for call in usage.iter_rows(named=True):
        cost = expected_cost(call, LLM_ID_OF_RAW_NAME[call["model"]], prices).cost_usd
        at = call["occurred_at"].astimezone(UTC)
        hourly[call["workspace_id"]][at.replace(minute=0, second=0, microsecond=0)] += cost or Decimal(0)
    return hourly


def _budget_seed(hourly: dict[str, dict[datetime, Decimal]], path: Path) -> list[dict[str, Any]]:
    """Budgets near each workspace's own monthly spend (so thresholds are crossed), with every precedence rule:
    a seed row from the first month; a raise from February; a zero budget; "no budget" from February; and a
    workspace left to its snapshot."""
    rows = []
    for number, (workspace, hours) in enumerate(sorted(hourly.items())):
        months = {_month(hour) for hour in hours}
        if number % 10 == 9:
            continue  # snapshot budget only (far above its spend: no crossing)
        budget = (sum(hours.values()) / len(months) * Decimal("0.9")).quantize(CENT)
        rows.append({"workspace_id": workspace, "effective_from": "2024-11-01", "monthly_budget_usd": str(budget)})
        if number % 3 == 0:
            rows.append(
                {"workspace_id": workspace, "effective_from": "2025-02-01", "monthly_budget_usd": str(budget * 2)}
            )
        elif number % 10 == 4:
            rows.append({"workspace_id": workspace, "effective_from": "2025-02-01", "monthly_budget_usd": ""})
        elif number % 10 == 7:
            rows.append({"workspace_id": workspace, "effective_from": "2025-01-01", "monthly_budget_usd": "0"})
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["workspace_id", "effective_from", "monthly_budget_usd", "note"])
        writer.writeheader()
        writer.writerows({**row, "note": "test"} for row in rows)
    return rows


def _budgets(landing: Path, seed_rows: list[dict[str, Any]], hourly) -> dict[tuple[str, date], Decimal | None]:
    snapshot = {
        row["workspace_id"]: row["monthly_budget_usd"]
        for row in pl.read_parquet(landing / "workspaces.parquet").iter_rows(named=True)
    }
    budgets = {}
    for workspace, hours in hourly.items():
        for month in {_month(hour) for hour in hours}:
            in_force = [
                r
                for r in seed_rows
                if r["workspace_id"] == workspace and date.fromisoformat(r["effective_from"]) <= month
            ]
            if in_force:
                text = max(in_force, key=lambda r: r["effective_from"])["monthly_budget_usd"]
                budget = Decimal(text) if text else None
            else:
                budget = snapshot.get(workspace)
            if budget is not None:
                budgets[(workspace, month)] = budget
    return budgets


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("budget_churn")
    landing = root / "landing"
    write_dataset(CONFIG, landing)
    project = copy_project(root / "project")
    hourly = _hourly_spend(landing, project / "seeds")
    seed_rows = _budget_seed(hourly, project / "seeds" / "workspace_budgets.csv")
    db = root / "build.duckdb"
    later = [landing / f"usage_{LAST_MONTH}.parquet", landing / "feedback.parquet"]
    first = [path for path in sorted(landing.glob("*.parquet")) if path not in later]
    assert ingest_paths(db, first, progress=quiet).ok
    run_dbt(db, "build", project_dir=project, work_dir=root / "dbt")
    first_alerts = read_table(db, "marts.alert_events")
    assert ingest_paths(db, later, progress=quiet).ok
    run_dbt(db, "build", project_dir=project, work_dir=root / "dbt")
    return Built(db, landing, hourly, _budgets(landing, seed_rows, hourly), first_alerts)


def _expected_crossings(built: Built) -> dict[tuple[str, date, int], tuple[datetime, Decimal]]:
    expected = {}
    for workspace, hours in built.hourly.items():
        running: dict[date, Decimal] = defaultdict(Decimal)
        for hour in sorted(hours):
            month = _month(hour)
            running[month] += hours[hour]
            budget = built.budgets.get((workspace, month))
            if budget is None or running[month] <= 0:
                continue
            for pct in THRESHOLDS:
                key = (workspace, month, pct)
                if key not in expected and running[month] >= budget * pct / 100:
                    expected[key] = (hour, running[month])
    return expected


def test_budget_threshold_crossings_equal_the_oracle(built: Built) -> None:
    crossings = read_table(built.db_path, "marts.budget_threshold_crossings")
    actual = {
        (r["workspace_id"], r["period_month"], r["threshold_pct"]): (r["crossed_at"], r["spend_usd"])
        for r in crossings.iter_rows(named=True)
    }
    expected = _expected_crossings(built)
    assert len(expected) > 100
    assert {pct for _, _, pct in expected} == set(THRESHOLDS)
    assert actual == expected


def _expected_overruns(built: Built) -> dict[tuple[str, date], tuple[datetime, Decimal, Decimal]]:
    """The first hour with a call at whose end mtd + trailing-168h spend x hours left / 168 exceeded the budget
    while spend was still below it, with 7 days of the workspace's history."""
    expected = {}
    for workspace, hours in built.hourly.items():
        ordered = sorted(hours)
        first_hour, running = ordered[0], defaultdict(Decimal)
        trailing, oldest = Decimal(0), 0  # spend of the 168 hours ending with `hour`, and its first hour's index
        for hour in ordered:
            trailing += hours[hour]
            while ordered[oldest] <= hour - timedelta(hours=168):
                trailing -= hours[ordered[oldest]]
                oldest += 1
            month = _month(hour)
            running[month] += hours[hour]
            budget = built.budgets.get((workspace, month))
            if budget is None or budget <= 0 or (workspace, month) in expected or running[month] >= budget:
                continue
            if hour - first_hour < timedelta(hours=167):
                continue
            month_end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
            remaining = int((month_end - hour).total_seconds() // 3600) - 1
            projected = Decimal(float(trailing) * remaining / 168).quantize(MICRO, ROUND_HALF_UP)
            forecast = running[month] + projected
            if forecast > budget:
                expected[(workspace, month)] = (hour, forecast, running[month])
    return expected


def test_forecast_overruns_equal_the_oracle(built: Built) -> None:
    forecasts = read_table(built.db_path, "marts.budget_forecasts").filter(pl.col("overrun_detected_at").is_not_null())
    actual = {
        (r["workspace_id"], r["period_month"]): (
            r["overrun_detected_at"],
            r["overrun_detected_forecast_usd"],
            r["overrun_detected_spend_usd"],
        )
        for r in forecasts.iter_rows(named=True)
    }
    expected = _expected_overruns(built)
    assert len(expected) > 20
    assert actual.keys() == expected.keys()
    for key, (hour, forecast, spend) in expected.items():
        got_hour, got_forecast, got_spend = actual[key]
        assert (got_hour, got_spend) == (hour, spend), key
        assert abs(got_forecast - forecast) <= MICRO, key  # the projection is a DOUBLE estimate, 6 decimals


def test_alerts_are_stable_across_runs(built: Built) -> None:
    """Every alert of the first run (data up to February) is in the second, unchanged, under the same id."""
    columns = ["alert_id", "alert_type", "workspace_id", "period_month", "threshold_pct", "occurred_at", "message"]
    before = built.first_alerts.select(columns)
    after = read_table(built.db_path, "marts.alert_events").select(columns)
    assert before.height > 100
    missing = before.join(after, on=columns, how="anti", nulls_equal=True)
    assert missing.is_empty(), missing.head()
    assert after.filter(pl.col("period_month") == date(2025, 3, 1)).height > 0
    assert set(after["alert_type"]) == {"budget_threshold", "forecast_overrun", "spend_anomaly"}
    anomalies = read_table(built.db_path, "marts.workspace_spend_anomalies").filter(pl.col("is_anomaly"))
    raised = after.filter(pl.col("alert_type") == "spend_anomaly")
    # one alert per anomalous workspace-day, raised at the end of that UTC day
    assert sorted(zip(raised["workspace_id"], raised["occurred_at"], strict=True)) == sorted(
        (w, datetime.combine(d + timedelta(days=1), time(), UTC))
        for w, d in zip(anomalies["workspace_id"], anomalies["usage_date"], strict=True)
    )


def test_budget_status_matches_the_precedence(built: Built) -> None:
    status = read_table(built.db_path, "marts.budget_status")
    actual = {(r["workspace_id"], r["period_month"]): r["budget_usd"] for r in status.iter_rows(named=True)}
    expected = {key: built.budgets.get(key) for key in actual}
    assert actual == expected
    assert set(status["budget_source"].drop_nulls()) == {"seed", "workspace_snapshot"}
    spend = {(w, _month(h)): Decimal(0) for w, hours in built.hourly.items() for h in hours}
    for workspace, hours in built.hourly.items():
        for hour, amount in hours.items():
            spend[(workspace, _month(hour))] += amount
    assert {(r["workspace_id"], r["period_month"]): r["spend_usd"] for r in status.iter_rows(named=True)} == spend


def _roc_auc(scores: list[float], labels: list[bool]) -> float:
    """Probability that a churner outranks a non-churner (ties count half): the Mann-Whitney form of ROC AUC."""
    positives = [s for s, label in zip(scores, labels, strict=True) if label]
    negatives = [s for s, label in zip(scores, labels, strict=True) if not label]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_churn_score_separates_the_generated_churners(built: Built) -> None:
    truth = pl.read_csv(built.landing / ".ground_truth" / "churn.csv")
    risk = read_table(built.db_path, "marts.workspace_churn_risk")
    joined = truth.join(risk.select("workspace_id", "churn_score"), on="workspace_id", how="left")
    assert joined["churn_score"].null_count() == 0  # every workspace of the data set is scored
    auc = _roc_auc(joined["churn_score"].to_list(), joined["is_churner"].to_list())
    print(f"churn ROC AUC = {auc:.4f} ({joined['is_churner'].sum()} churners of {joined.height} workspaces)")
    assert auc >= 0.9
    silent = joined.filter(pl.col("churn_pattern") == "silent")
    assert silent.height == round(CONFIG.churn_rate * CONFIG.workspaces)
