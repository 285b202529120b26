"""The same generated data set through the DuckDB pipeline and through `synapscale run --engine spark` (real
local Spark, dbt-spark session method), in two incremental runs with billing month 2025-02 closed between them
(late February usage becomes adjustments); then every core table, mart and seed compared row for row and value
for value (tests/spark/parity.py). Each batch also lands calls of models only the LiteLLM fallback prices
(price_source 'litellm'), with 1-hour cache writes and long-context prompts (`_litellm_calls`): their costs are
also worked out here in Decimal from seeds/litellm_prices.csv. DuckDB's numbers are checked against independent
oracles elsewhere (tests/warehouse/test_marts_oracle.py, test_cost_engine.py); here Spark must give exactly the
same.

A port with a known trap put back (decimal precision loss allowed, docs/spark.md) must fail the comparison.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from synapscale.spark import built_tables, read_back
from tests.spark.parity import TableParity, compare
from tests.support.cli import synapscale
from tests.support.datasets import write_history
from tests.support.paths import PROJECT_DIR

CUT = date(2025, 3, 1)  # batch 1: everything landed before it; batch 2: the rest
CLOSED = "2025-02"  # closed between the batches
TIMEOUT = 3600
EVENTS = 50_000
# Models only the LiteLLM fallback prices (no curated name resolves them): 12-decimal rates, 1-hour cache
# write rates, long-context tiers at 100k and 200k prompt tokens.
LITELLM_MODELS = (
    "bigmodel/glm-5.3",
    "aihubmix/doubao-seed-2-0-mini",
    "databricks/databricks-claude-haiku-5-5",
    "claude-sonnet-4-5-20250929-v1:0",
)
LITELLM_CALLS_PER_BATCH = 400


@dataclass(frozen=True)
class Parity:
    warehouse: Path
    results: list[TableParity]
    timings: dict[str, float]


def _batches(generated: Path) -> list[list[Path]]:
    first, second = [], []
    for path in sorted(generated.glob("*.parquet")):
        found = re.search(r"(\d{4}-\d{2})(?:-(\d{2}))?", path.name)
        if found is None:  # users, workspaces, feedback
            first.append(path)
            continue
        day = date.fromisoformat(found.group(1) + "-" + (found.group(2) or "01"))
        (first if day < CUT else second).append(path)
    return [first, second]


def _litellm_calls(files: list[Path], batch: int) -> pl.DataFrame:
    """Calls of LITELLM_MODELS: the ids, workspaces, users, conversations and times of generated successful calls
    of the batch (in batch 2 the late ones first, so the closed month gets LiteLLM-priced adjustments), with new
    ids and token counts chosen here: every cache bucket, 1-hour writes, prompts on both sides of the tiers."""
    usage = pl.concat(
        [pl.read_parquet(path) for path in files if path.name.startswith("usage")], how="vertical_relaxed"
    )
    usage = usage.filter(
        pl.col("status").eq("success") & pl.col("workspace_id").is_not_null() & pl.col("user_id").is_not_null()
    ).unique("event_id", keep="first", maintain_order=True)
    late = usage.filter(pl.col("occurred_at").dt.date() < CUT) if batch == 2 else usage.clear()
    picked = pl.concat([late.head(LITELLM_CALLS_PER_BATCH // 4), usage.sort("event_id")]).unique(
        "event_id", keep="first", maintain_order=True
    )
    picked = picked.head(LITELLM_CALLS_PER_BATCH)
    n = picked.height
    i = pl.int_range(0, n, eager=True)
    input_tokens = 1_000 + (i * 7_919) % 300_000  # 1,000 .. 300,999: above 100k and 200k for some
    cache_write = (input_tokens // 5) * (i % 3 != 0)
    return picked.with_columns(
        event_id=pl.format("{}_litellm", "event_id"),
        message_id=pl.format("{}_litellm", "message_id"),
        model=pl.Series([LITELLM_MODELS[k % len(LITELLM_MODELS)] for k in range(n)]),
        provider=pl.lit("litellm-test"),
        input_tokens=input_tokens,
        output_tokens=50 + (i * 131) % 4_000,
        cache_read_input_tokens=(input_tokens // 4) * (i % 2),
        cache_creation_input_tokens=cache_write,
        cache_creation_1h_input_tokens=(cache_write // 2) * (i % 4 != 1),
        reasoning_output_tokens=((50 + (i * 131) % 4_000) // 3) * (i % 5 == 0),
        provider_cost_usd=pl.lit(None, dtype=pl.Decimal(38, 18)),
    )


def _small_budgets(workspaces: Path) -> None:
    """Budgets of 5, 10, 15 ... USD a month, so the generated spend crosses thresholds and budget alerts exist
    (the plans' budgets are far above a few hundred calls a day)."""
    frame = pl.read_parquet(workspaces).sort("workspace_id")
    budgets = pl.Series([Decimal(5 * (k + 1)) for k in range(frame.height)], dtype=pl.Decimal(18, 2))
    frame.with_columns(monthly_budget_usd=budgets).write_parquet(workspaces)


def _expected_cost(call: dict[str, object], price: dict[str, str]) -> Decimal:
    """docs/cost.md by hand: exclusive buckets, the whole call at the tier rates above the threshold, each rate
    falling back as the cost engine says (cache read/write to input, 1h write to the 5-minute write, reasoning to
    output), tokens x USD per 1M."""

    def rate(name: str) -> Decimal | None:
        return Decimal(price[f"{name}_usd_per_1m"]) if price[f"{name}_usd_per_1m"] else None

    tokens = {k: int(call[k]) for k in ("input_tokens", "output_tokens", "cache_read_input_tokens")}
    write, write_1h = int(call["cache_creation_input_tokens"]), int(call["cache_creation_1h_input_tokens"])
    reasoning = int(call["reasoning_output_tokens"])
    threshold = price["tier_threshold_tokens"]
    tier = bool(threshold) and tokens["input_tokens"] > int(threshold)
    fallback = {"cache_read": "input", "cache_write": "input", "cache_write_1h": "cache_write", "reasoning": "output"}

    def applied(name: str) -> Decimal:
        if name in ("input", "output"):  # required: at the tier its tier rate, if any
            at_tier = rate(f"tier_{name}") if tier else None
            return at_tier if at_tier is not None else rate(name)  # type: ignore[return-value]
        own = (rate(f"tier_{name}") if name != "reasoning" else None) if tier else rate(name)
        return own if own is not None else applied(fallback[name])

    buckets = {
        "input": tokens["input_tokens"] - tokens["cache_read_input_tokens"] - write,
        "cache_read": tokens["cache_read_input_tokens"],
        "cache_write": write - write_1h,
        "cache_write_1h": write_1h,
        "output": tokens["output_tokens"] - reasoning,
        "reasoning": reasoning,
    }
    return sum((count * applied(name) / 1_000_000 for name, count in buckets.items()), Decimal(0))


def _run(timings: dict[str, float], name: str, *args: str) -> None:
    began = time.monotonic()
    result = synapscale(*args, timeout=TIMEOUT)
    timings[name] = round(time.monotonic() - began, 1)
    command = " ".join(args)
    assert result.returncode == 0, f"synapscale {command} failed:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"


@pytest.fixture(scope="module")
def parity(tmp_path_factory: pytest.TempPathFactory) -> Parity:
    root = tmp_path_factory.mktemp("spark_parity")
    write_history(root / "generated", events=EVENTS, days=120, seed=14, late_rate=0.02)
    _small_budgets(root / "generated" / "workspaces.parquet")
    landing, warehouse = root / "landing", root / "warehouse"
    landing.mkdir()
    timings: dict[str, float] = {}
    for number, files in enumerate(_batches(root / "generated"), start=1):
        for path in files:
            shutil.copy2(path, landing / path.name)
        _litellm_calls(files, number).write_parquet(landing / f"usage_litellm_batch_{number}.parquet")
        run = ("run", "--landing", str(landing), "--warehouse", str(warehouse))
        _run(timings, f"batch {number}: synapscale run (DuckDB)", *run)
        _run(timings, f"batch {number}: synapscale run --engine spark", *run, "--engine", "spark")
        if number == 1:
            _run(timings, "billing close", "billing", "close", CLOSED, "--warehouse", str(warehouse))
    began = time.monotonic()
    results = compare(warehouse / "serve.duckdb", warehouse / "spark" / "serve.duckdb")
    timings["compare"] = round(time.monotonic() - began, 1)
    (root / "timings.json").write_text(json.dumps(timings, indent=2))
    print(json.dumps(timings, indent=2))
    return Parity(warehouse, results, timings)


def test_every_core_table_mart_and_seed_is_compared(parity: Parity) -> None:
    built_on_duckdb = {
        f"{schema}.{table}"
        for schema, table, _ in built_tables(parity.warehouse / "dbt" / "target" / "manifest.json")
        if schema in ("core", "marts", "seeds")
    }
    assert {result.table for result in parity.results} == built_on_duckdb
    assert len(built_on_duckdb) >= 50


def test_spark_builds_the_same_rows_and_values_as_duckdb(parity: Parity) -> None:
    different = [f"{result.table}: {result.problem}" for result in parity.results if result.problem is not None]
    assert not different, "\n".join(different)


def test_the_data_set_exercised_what_it_claims(parity: Parity) -> None:
    """Late usage of the closed month billed as adjustments, corrections in FOCUS, quarantined records, and no
    empty core table - on Spark's side."""
    with duckdb.connect(str(parity.warehouse / "spark" / "serve.duckdb"), read_only=True) as con:
        adjustments = con.execute(
            "select count(*) from core.billing_events where event_type = 'adjustment' and service_period <= ?",
            [date(2025, 2, 1)],
        ).fetchone()[0]
        assert adjustments >= 10
        corrections = con.execute("select count(*) from marts.focus_charges where ChargeClass = 'Correction'")
        assert corrections.fetchone()[0] > 0
        assert con.execute("select sum(records) from marts.quarantine_daily").fetchone()[0] > 0
        litellm, tiered, one_hour = con.execute(
            "select count(*), count(*) filter (where is_long_context_tier), "
            "count(*) filter (where cache_write_1h_tokens > 0 and cache_write_1h_cost_usd > 0) "
            "from core.usage_logs where price_source = 'litellm'"
        ).fetchone()
        assert litellm >= 2 * LITELLM_CALLS_PER_BATCH * 0.9 and tiered > 0 and one_hour > 0
        late_litellm = con.execute(
            "select count(*) from core.billing_events as b inner join core.usage_logs as u "
            "on b.event_id = u.event_id where b.event_type = 'adjustment' and u.price_source = 'litellm'"
        ).fetchone()[0]
        assert late_litellm > 0
        alerts = dict(con.execute("select alert_type, count(*) from marts.alert_events group by 1").fetchall())
        assert alerts.get("budget_threshold", 0) > 0, alerts
    rows = {result.table: result.rows for result in parity.results}
    assert all(count > 0 for table, count in rows.items() if table.startswith("core."))
    assert rows["core.usage_logs"] > EVENTS * 0.9
    assert rows["marts.alert_events"] > 0


def test_litellm_prices_arrive_on_spark_exactly_as_in_the_csv(parity: Parity) -> None:
    """The LiteLLM seed's many small decimal prices (0.114285714286 USD per 1M, ...) go through dbt-spark's seed
    loader, which passes numbers through float unless fixed (macros/spark.sql): every rate, read back from
    Spark, equals the CSV's text as a Decimal."""
    with (PROJECT_DIR / "seeds" / "litellm_prices.csv").open(newline="") as handle:
        expected = {row["price_id"]: row for row in csv.DictReader(handle)}
    rate_columns = [name for name in next(iter(expected.values())) if name.endswith("_usd_per_1m")]
    with duckdb.connect(str(parity.warehouse / "spark" / "serve.duckdb"), read_only=True) as con:
        listed = ", ".join(rate_columns)
        rows = con.execute(f"select price_id, tier_threshold_tokens, {listed} from seeds.litellm_prices").fetchall()
    assert len(rows) == len(expected) > 3_000
    different = []
    for price_id, threshold, *rates in rows:
        want = expected[price_id]
        if threshold != (int(want["tier_threshold_tokens"]) if want["tier_threshold_tokens"] else None):
            different.append((price_id, "tier_threshold_tokens", threshold))
        for name, got in zip(rate_columns, rates, strict=True):
            if got != (Decimal(want[name]) if want[name] else None):
                different.append((price_id, name, got, want[name]))
    assert not different, different[:10]


def test_litellm_priced_costs_on_spark_equal_the_cost_rules_by_hand(parity: Parity) -> None:
    with (PROJECT_DIR / "seeds" / "litellm_prices.csv").open(newline="") as handle:
        prices = {row["llm_id"]: row for row in csv.DictReader(handle)}
    columns = (
        "input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, "
        "cache_creation_1h_input_tokens, reasoning_output_tokens"
    )
    with duckdb.connect(str(parity.warehouse / "spark" / "serve.duckdb"), read_only=True) as con:
        logged = con.execute(
            "select event_id, model, cost_usd, price_source, input_tokens, output_tokens, cache_read_tokens, "
            "cache_write_tokens + cache_write_1h_tokens, cache_write_1h_tokens, reasoning_tokens "
            "from core.usage_logs where event_id like '%\\_litellm' escape '\\'"
        ).fetchall()
    names = [c.strip() for c in columns.split(",")]
    checked = 0
    for event_id, model, cost, source, *counts in logged:
        assert model in LITELLM_MODELS and source == "litellm", (event_id, model, source)
        call = dict(zip(names, counts, strict=True))
        assert cost == _expected_cost(call, prices[model]), (event_id, model, call)
        checked += 1
    assert checked >= 2 * LITELLM_CALLS_PER_BATCH * 0.9


def test_a_port_with_precision_loss_allowed_fails_the_comparison(parity: Parity, tmp_path: Path) -> None:
    """The trap the issue names first: spark.sql.decimalOperations.allowPrecisionLoss back on. dbt builds
    usage_logs and what it reads (seeds, staging, intermediate; no tests: the other core tables are not built)
    without an error, its contract holding (the type stays decimal(38,18)); only the comparison sees the lost
    digits - in the money columns and nowhere else."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (PROJECT_DIR / "profiles.yml").read_text()
    broken = text.replace('allowPrecisionLoss: "false"', 'allowPrecisionLoss: "true"')
    assert broken != text
    (profiles / "profiles.yml").write_text(broken)
    warehouse = tmp_path / "warehouse"
    shutil.copytree(parity.warehouse / "spark" / "raw", warehouse / "spark" / "raw")
    target = tmp_path / "target"
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "build", "--target", "spark", "--select", "+usage_logs",
        "--exclude", "resource_type:test", "resource_type:unit_test",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles),
        "--target-path", str(target), "--log-path", str(tmp_path / "logs"), "--no-partial-parse",
    ]  # fmt: skip
    env = {**os.environ, "SYNAPSCALE_SPARK_WAREHOUSE": str(warehouse / "spark")}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stdout[-4000:]  # no error: the loss is silent
    read_back(PROJECT_DIR, warehouse, target / "manifest.json", progress=lambda _: None, only={"usage_logs"})

    broken_serve = warehouse / "spark" / "serve.duckdb"
    (usage_logs,) = compare(parity.warehouse / "serve.duckdb", broken_serve, {"core.usage_logs"})
    assert usage_logs.problem is not None
    with duckdb.connect() as con:
        con.execute(f"attach '{parity.warehouse / 'serve.duckdb'}' as d (read_only)")
        con.execute(f"attach '{broken_serve}' as s (read_only)")
        columns = [row[0] for row in con.execute("describe d.core.usage_logs").fetchall()]
        money = [c for c in columns if c.endswith("_usd") or "_usd_" in c]
        rest = [c for c in columns if c not in money]
        assert "cost_usd" in money and "computed_cost_usd" in money

        def differing(names: list[str]) -> int:
            condition = " or ".join(f'd_."{c}" is distinct from s_."{c}"' for c in names)
            return con.execute(
                "select count(*) from d.core.usage_logs as d_ inner join s.core.usage_logs as s_ "
                f"on d_.event_id = s_.event_id where {condition}"
            ).fetchone()[0]

        assert differing(money) > usage_logs.rows // 10, usage_logs.problem
        assert differing(rest) == 0


def test_the_dashboard_shows_the_same_overview_from_sparks_file(
    parity: Parity, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    figures = []
    for serve in (parity.warehouse / "serve.duckdb", parity.warehouse / "spark" / "serve.duckdb"):
        monkeypatch.setenv("SYNAPSCALE_SERVE_DB", str(serve))
        app = AppTest.from_file(str(PROJECT_DIR / "app" / "streamlit_app.py"), default_timeout=60).run()
        assert not app.exception
        figures.append({metric.label: metric.value for metric in app.metric})
    assert figures[0]["Calls"] != "0"
    assert figures[1] == figures[0]
