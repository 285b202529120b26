"""The marts against an independent computation: a generated data set of 100k events (late and re-sent events
included) goes through the real pipeline (`synapscale run`, a subprocess); polars then recomputes, from the
LANDED FILES and not from the warehouse, the figures the marts publish - money exactly, percentiles with the
same definition (linear interpolation between ranks):

- daily cost per workspace, in UTC days and in each workspace's own days (its snapshot's IANA timezone), and
  the dashboard's roll-ups of it (per user, per model in own days);
- monthly totals per workspace (trends) and the invoices rounded half-even to cents;
- p95 latency per model and day (successful calls), and per workspace, model, provider and day;
- thumbs-up rate per model (the latest version of each feedback_id), and per workspace, model and provider;
- the FOCUS export of a month: the documented column names and types, BilledCost summing to the invoices.

Per-call costs come from tests/support/cost_reference.py (Decimal, the price CSV read with the csv module); raw
model names map to catalog models through the table below, written by hand for the generator's spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from synapscale.generate import GeneratorConfig, write_dataset
from tests.support.cli import synapscale
from tests.support.cost_reference import LLM_ID_OF_RAW_NAME, expected_cost, load_prices
from tests.support.paths import PROJECT_DIR

CONFIG = GeneratorConfig(
    events=100_000, days=200, workspaces=16, users=200, seed=20250331, late_rate=0.02, duplicate_rate=0.01
)
CENT = Decimal("0.01")
MONEY = pl.Decimal(38, 18)
EXPORT_MONTH = "2025-01"


@dataclass(frozen=True)
class Oracle:
    calls: pl.DataFrame  # one row per event: workspace, model key, UTC and local day, month, latency, cost
    feedback: pl.DataFrame  # latest version of each feedback_id, with the model of its call
    serve_db: Path
    warehouse: Path


def _calls(landing: Path) -> pl.DataFrame:
    usage = pl.concat([pl.read_parquet(path) for path in sorted(landing.glob("usage_*.parquet"))], how="vertical")
    usage = usage.unique("event_id", keep="first", maintain_order=True)  # re-sent events are exact copies
    prices = load_prices(PROJECT_DIR / "seeds")
    records = usage.select(
        "event_id", "occurred_at", "model", "input_tokens", "output_tokens", "cache_read_input_tokens",
        "cache_creation_input_tokens", "reasoning_output_tokens", "provider_cost_usd",
    ).to_dicts()  # fmt: skip
    costs = [expected_cost(call, LLM_ID_OF_RAW_NAME[call["model"]], prices).cost_usd for call in records]
    timezones = pl.read_parquet(landing / "workspaces.parquet").select("workspace_id", "timezone")
    calls = usage.with_columns(
        cost_usd=pl.Series(costs, dtype=MONEY),  # exact: at most 18 decimals (rates x tokens / 10^6)
        model_key=pl.col("model").replace_strict(
            {raw: llm_id or f"unresolved:{raw}" for raw, llm_id in LLM_ID_OF_RAW_NAME.items()}
        ),
        usage_date=pl.col("occurred_at").dt.convert_time_zone("UTC").dt.date(),
    ).join(timezones, on="workspace_id", how="left")
    local = [
        part.with_columns(local_date=pl.col("occurred_at").dt.convert_time_zone(zone).dt.date())
        for (zone,), part in calls.group_by("timezone")
    ]
    return pl.concat(local).with_columns(usage_month=pl.col("usage_date").dt.truncate("1mo"))


def _feedback(landing: Path, calls: pl.DataFrame) -> pl.DataFrame:
    feedback = pl.read_parquet(landing / "feedback.parquet")
    latest = feedback.sort("created_at").group_by("feedback_id").last()
    attributed = calls.select("message_id", "model_key", "workspace_id", "provider")
    return latest.join(attributed, on="message_id", how="inner")


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Oracle:
    root = tmp_path_factory.mktemp("marts_oracle")
    landing, warehouse = root / "landing", root / "warehouse"
    write_dataset(CONFIG, landing)
    result = synapscale("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert result.returncode == 0, f"synapscale run failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    calls = _calls(landing)
    return Oracle(calls, _feedback(landing, calls), warehouse / "serve.duckdb", warehouse)


def _mart(oracle: Oracle, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(oracle.serve_db), read_only=True) as con:
        return con.sql(sql).pl()


def _money_by(frame: pl.DataFrame, keys: list[str], column: str = "cost_usd") -> dict[tuple, Decimal]:
    """Exact DECIMAL sums of `column` per key, without the groups that sum to 0 (a group of unpriced calls
    publishes 0, and the oracle has no row for it)."""
    sums = frame.group_by(keys).agg(pl.col(column).cast(MONEY).sum())
    return {tuple(row[:-1]): row[-1] for row in sums.iter_rows() if row[-1] is not None and row[-1] != 0}


def test_the_data_set_is_large_and_mixed(oracle: Oracle) -> None:
    assert oracle.calls.height >= 98_000
    zones = set(oracle.calls["timezone"])
    assert "America/Sao_Paulo" in zones and len(zones) >= 4
    assert oracle.calls["model_key"].str.starts_with("unresolved:").any()
    assert oracle.calls["provider_cost_usd"].is_not_null().any()


def test_daily_cost_per_workspace_in_utc_days(oracle: Oracle) -> None:
    published = _mart(oracle, "select usage_date, workspace_id, cost_usd from marts.cost_daily")
    assert _money_by(published, ["usage_date", "workspace_id"]) == _money_by(
        oracle.calls, ["usage_date", "workspace_id"]
    )


def test_daily_cost_per_workspace_in_its_own_days(oracle: Oracle) -> None:
    published = _mart(oracle, "select local_date, workspace_id, cost_usd from marts.cost_daily_local")
    expected = _money_by(oracle.calls, ["local_date", "workspace_id"])
    assert _money_by(published, ["local_date", "workspace_id"]) == expected
    # the two boundaries really differ for zoned workspaces
    assert expected != _money_by(oracle.calls, ["usage_date", "workspace_id"])


# The dashboard's smaller marts (app/data/source.py, DAY_BOUNDARIES): (mart, its key columns, the oracle's).
ROLL_UPS = (
    ("cost_daily_user_totals", "usage_date, workspace_id, user_id", ["usage_date", "workspace_id", "user_id"]),
    (
        "cost_daily_local_by_model",
        "local_date, workspace_id, model, provider",
        ["local_date", "workspace_id", "model_key", "provider"],
    ),
    ("cost_daily_local_user_totals", "local_date, workspace_id, user_id", ["local_date", "workspace_id", "user_id"]),
)


@pytest.mark.parametrize(("mart", "columns", "keys"), ROLL_UPS, ids=[mart for mart, _, _ in ROLL_UPS])
def test_the_dashboards_daily_cost_roll_ups(oracle: Oracle, mart: str, columns: str, keys: list[str]) -> None:
    published = _mart(oracle, f"select {columns}, calls, cost_usd from marts.{mart}")
    assert published.columns[: len(keys)] == [key.replace("model_key", "model") for key in keys]
    published.columns = [*keys, "calls", "cost_usd"]
    assert _money_by(published, keys) == _money_by(oracle.calls, keys)
    counted = oracle.calls.group_by(keys).agg(calls=pl.len())
    assert dict(published.select(*keys, "calls").rows_by_key(keys, unique=True)) == dict(
        counted.rows_by_key(keys, unique=True)
    )


def test_monthly_totals_per_workspace_and_invoices(oracle: Oracle) -> None:
    expected = _money_by(oracle.calls, ["usage_month", "workspace_id"])
    trends = _mart(oracle, "select usage_month, workspace_id, spend_usd from marts.workspace_trends_monthly")
    assert _money_by(trends, ["usage_month", "workspace_id"], "spend_usd") == expected
    invoices = _mart(oracle, "select billing_period, workspace_id, total_usd from marts.invoices")
    assert _money_by(invoices, ["billing_period", "workspace_id"], "total_usd") == {
        key: value.quantize(CENT, rounding=ROUND_HALF_EVEN) for key, value in expected.items()
    }


@pytest.mark.parametrize(
    ("mart", "keys"),
    [
        ("model_performance_daily", ["model_key", "usage_date"]),
        ("workspace_model_performance_daily", ["workspace_id", "model_key", "provider", "usage_date"]),
    ],
)
def test_p95_latency_per_model_and_day(oracle: Oracle, mart: str, keys: list[str]) -> None:
    expected = (
        oracle.calls.filter(pl.col("status") == "success")
        .group_by(keys)
        .agg(pl.col("latency_ms").quantile(0.95, interpolation="linear").alias("expected"))
    )
    columns = ", ".join(keys).replace("model_key", "model as model_key")
    published = _mart(oracle, f"select {columns}, latency_p95_ms from marts.{mart}")
    joined = expected.join(published, on=keys, how="full", coalesce=True)
    assert joined.height == published.height
    assert joined.filter(pl.col("expected").is_null() != pl.col("latency_p95_ms").is_null()).is_empty()
    both = joined.drop_nulls()
    assert both.height > 1000
    # the same definition; the two engines' floating-point formulas differ by ~1e-12 ms at most
    assert ((both["expected"] - both["latency_p95_ms"]).abs() <= 1e-9 * both["expected"].abs()).all()


def test_thumbs_up_rate_per_model(oracle: Oracle) -> None:
    thumbs = oracle.feedback.filter(pl.col("kind") == "thumbs")
    expected = {
        model: (ups, total)
        for model, ups, total in thumbs.group_by("model_key")
        .agg(ups=(pl.col("value") == "up").sum(), total=pl.len())
        .iter_rows()
    }
    published = _mart(
        oracle,
        "select model, sum(thumbs_up_count)::bigint, sum(thumbs_count)::bigint from marts.model_quality_daily "
        "group by model having sum(thumbs_count) > 0",
    )
    assert {model: (ups, total) for model, ups, total in published.iter_rows()} == expected
    monthly = _mart(
        oracle, "select model, sum(thumbs_up_count)::bigint, sum(thumbs_count)::bigint from "
        "marts.model_quality_cost_monthly group by model having sum(thumbs_count) > 0"
    )  # fmt: skip
    assert {model: (ups, total) for model, ups, total in monthly.iter_rows()} == expected


def test_thumbs_up_per_workspace_model_and_provider(oracle: Oracle) -> None:
    keys = ["workspace_id", "model_key", "provider"]
    thumbs = oracle.feedback.filter(pl.col("kind") == "thumbs")
    expected = {
        tuple(row[:3]): tuple(row[3:])
        for row in thumbs.group_by(keys).agg(ups=(pl.col("value") == "up").sum(), total=pl.len()).iter_rows()
    }
    published = _mart(
        oracle,
        "select workspace_id, model, provider, sum(thumbs_up_count)::bigint, sum(thumbs_count)::bigint "
        "from marts.workspace_model_feedback_daily group by all having sum(thumbs_count) > 0",
    )
    assert {tuple(row[:3]): tuple(row[3:]) for row in published.iter_rows()} == expected
    assert len({workspace for workspace, _, _ in expected}) > 1


# FOCUS 1.2 columns the export must carry (docs/marts/focus.md), with their polars types in the Parquet file.
UTC_TIME = pl.Datetime("us", "UTC")
FOCUS_COLUMNS = {
    "BilledCost": MONEY, "BillingAccountId": pl.String, "BillingAccountName": pl.String, "BillingCurrency": pl.String,
    "BillingPeriodEnd": UTC_TIME, "BillingPeriodStart": UTC_TIME, "ChargeCategory": pl.String,
    "ChargeClass": pl.String, "ChargeDescription": pl.String, "ChargeFrequency": pl.String,
    "ChargePeriodEnd": UTC_TIME, "ChargePeriodStart": UTC_TIME, "ConsumedQuantity": pl.Decimal(38, 0),
    "ConsumedUnit": pl.String, "ContractedCost": MONEY, "ContractedUnitPrice": MONEY, "EffectiveCost": MONEY,
    "InvoiceId": pl.String, "InvoiceIssuerName": pl.String, "ListCost": MONEY, "ListUnitPrice": MONEY,
    "PricingCategory": pl.String, "PricingQuantity": pl.Decimal(38, 0), "PricingUnit": pl.String,
    "ProviderName": pl.String, "PublisherName": pl.String, "ServiceCategory": pl.String, "ServiceName": pl.String,
    "ServiceSubcategory": pl.String, "SkuId": pl.String, "SkuPriceId": pl.String, "SubAccountId": pl.String,
    "SubAccountName": pl.String, "SubAccountType": pl.String, "Tags": pl.String,
}  # fmt: skip


def test_focus_export_has_the_focus_columns_and_bills_the_invoices(oracle: Oracle, tmp_path: Path) -> None:
    frames = {}
    for suffix in ("parquet", "csv"):
        out = tmp_path / f"focus_{EXPORT_MONTH}.{suffix}"
        result = synapscale(
            "export", "focus", "--month", EXPORT_MONTH, "--out", str(out), "--warehouse", str(oracle.warehouse)
        )
        assert result.returncode == 0, result.stderr
        frames[suffix] = pl.read_parquet(out) if suffix == "parquet" else pl.read_csv(out, infer_schema=False)
    parquet, csv = frames["parquet"], frames["csv"]
    assert {name: parquet.schema[name] for name in FOCUS_COLUMNS} == FOCUS_COLUMNS
    assert [c for c in parquet.columns if c not in FOCUS_COLUMNS] == [c for c in parquet.columns if c.startswith("x_")]
    assert csv.columns == parquet.columns and csv.height == parquet.height
    assert set(parquet["ServiceCategory"]) == {"AI and Machine Learning"}
    assert set(parquet["ServiceSubcategory"]) == {"Generative AI"}
    assert set(parquet["ChargeCategory"]) <= {"Usage", "Adjustment", "Credit"}
    assert csv["ChargePeriodStart"][0].endswith("Z")  # FOCUS date/time: ISO 8601 in UTC
    month = date.fromisoformat(f"{EXPORT_MONTH}-01")
    invoices = {
        workspace: total.quantize(CENT, rounding=ROUND_HALF_EVEN)
        for (usage_month, workspace), total in _money_by(oracle.calls, ["usage_month", "workspace_id"]).items()
        if usage_month == month and total != 0
    }
    for frame in (parquet, csv):
        billed = _money_by(frame, ["SubAccountId"], "BilledCost")
        assert {
            workspace: total.quantize(CENT, rounding=ROUND_HALF_EVEN) for (workspace,), total in billed.items()
        } == (invoices)
