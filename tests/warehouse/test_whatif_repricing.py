"""Repricing a token mix is exact: whatif_repricing_daily (calls summed per day x workspace x model, cut at price
epochs and tier classes, then priced on each target through the cost macros) equals pricing every call on the
target one by one, to the last decimal.

One dbt build: the source calls, plus one copy of each call per target model (same tokens and instant, the
target's id as its model name, no provider cost), which the cost engine prices call by call. The copies' sums
are compared with the mart, and both with the independent Decimal reference (tests/support/cost_reference.py).
The seeds get the LiteLLM fixture imported, so two distinct tier thresholds (128k, 200k) exist.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from synapscale.prices.litellm import import_litellm
from tests.support.cost_reference import LITELLM_FIXTURE, PriceRow, expected_cost, load_prices, split_tokens
from tests.support.warehouse import build_warehouse, copy_project, read_table

IMPORT_DATE = date(2026, 12, 1)
# Days with price changes (gpt-4o and caching 2024-10-01/02, Gemini cut 2024-08-12, Claude caching 2024-08-14,
# deepseek at 16:00 UTC on 2025-02-08, the LiteLLM import) and a few ordinary ones.
DAYS = (
    date(2024, 8, 12),
    date(2024, 8, 14),
    date(2024, 10, 1),
    date(2024, 10, 2),
    date(2024, 12, 26),
    date(2025, 2, 8),
    date(2025, 3, 17),
    date(2025, 7, 21),
    date(2026, 12, 1),
    date(2027, 1, 5),
)
SOURCES = ("gpt-4o", "claude-3-haiku-20240307", "gemini-1.5-pro", "my-unknown-deployment")
WORKSPACES = ("ws-a", "ws-b")
CALLS = 2_400
BUCKETS = ("uncached_input", "cache_read", "cache_write", "cache_write_1h", "visible_output", "reasoning")


@dataclass(frozen=True)
class RepricedWarehouse:
    db_path: Path
    calls: list[dict[str, Any]]
    copies: list[dict[str, Any]]
    prices: dict[str, list[PriceRow]]


def _instant(rng: random.Random, day: date) -> datetime:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if day == date(2025, 2, 8) and rng.random() < 0.3:  # at and just before deepseek's 16:00 change
        return start + timedelta(hours=16) - timedelta(microseconds=rng.choice((0, 1)))
    return start + timedelta(microseconds=rng.randint(0, 86_400 * 10**6 - 1))


def _tokens(rng: random.Random) -> dict[str, int | None]:
    roll = rng.random()
    if roll < 0.3:  # at and around the tier thresholds
        input_tokens = rng.choice((128_000, 200_000)) + rng.randint(-1, 1)
    elif roll < 0.45:
        input_tokens = rng.randint(128_002, 199_998)
    elif roll < 0.55:
        input_tokens = rng.randint(200_002, 400_000)
    else:
        input_tokens = rng.randint(0, 20_000)
    tokens = split_tokens(rng, input_tokens, read=0.4, write=0.3, max_output=8_000, reasoning=0.4)
    if rng.random() < 0.01:  # inconsistent counts: neither the engine nor the what-if prices them
        tokens["cache_read_input_tokens"] = input_tokens + 1
    return tokens


def _calls(rng: random.Random) -> list[dict[str, Any]]:
    calls = []
    for number in range(CALLS):
        provider_cost = Decimal(rng.randint(1, 10**9)) / Decimal(10**12) if rng.random() < 0.1 else None
        calls.append(
            {
                "event_id": f"src-{number:05d}",
                "occurred_at": _instant(rng, rng.choice(DAYS)),
                "workspace_id": rng.choice(WORKSPACES),
                "user_id": "user-1",
                "provider": "openai",
                "model": rng.choice(SOURCES),
                "operation": "chat",
                **_tokens(rng),
                "status": "success",
                "provider_cost_usd": provider_cost,
            }
        )
    return calls


def _copies(calls: list[dict[str, Any]], targets: list[str]) -> list[dict[str, Any]]:
    """Each call once per target: the target's id as the model (it resolves as reported), no provider cost."""
    return [
        {
            **call,
            "event_id": f"{call['event_id']}>{target}",
            "workspace_id": f"copy|{call['workspace_id']}|{call['model']}",
            "model": target,
            "provider_cost_usd": None,
            "_source": call,
            "_target": target,
        }
        for call in calls
        for target in targets
    ]


@pytest.fixture(scope="module")
def repriced(tmp_path_factory: pytest.TempPathFactory) -> RepricedWarehouse:
    root = tmp_path_factory.mktemp("whatif")
    project = copy_project(root / "project")
    import_litellm(LITELLM_FIXTURE, project / "seeds", effective_from=IMPORT_DATE, progress=lambda _line: None)
    prices = load_prices(project / "seeds", litellm=False)  # the what-if targets: the curated models
    calls = _calls(random.Random(20250208))
    copies = _copies(calls, sorted(prices))
    rows = [{k: v for k, v in row.items() if not k.startswith("_")} for row in calls + copies]
    usage = pl.DataFrame(rows, schema_overrides={"provider_cost_usd": pl.Decimal(38, 18)}, infer_schema_length=None)
    db_path = build_warehouse(root / "warehouse", {"usage_events": usage}, project_dir=project)
    return RepricedWarehouse(db_path, calls, copies, prices)


def _source_model(raw: str) -> str:
    return {"claude-3-haiku-20240307": "claude-3-haiku"}.get(
        raw, raw if raw in ("gpt-4o", "gemini-1.5-pro") else f"unresolved:{raw}"
    )


def _mart(db_path: Path) -> dict[tuple, dict[str, Any]]:
    mart = read_table(db_path, "marts.whatif_repricing_daily").filter(~pl.col("workspace_id").str.starts_with("copy|"))
    return {
        (r["usage_date"], r["workspace_id"], r["source_model"], r["target_llm_id"]): r
        for r in mart.iter_rows(named=True)
    }


def _priced_copies(db_path: Path) -> dict[tuple, dict[str, Decimal]]:
    """The copies as the cost engine priced them call by call, summed per (day, workspace, source, target)."""
    logs = read_table(db_path, "core.usage_logs").filter(
        pl.col("workspace_id").str.starts_with("copy|") & pl.col("computed_cost_usd").is_not_null()
    )
    sums: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in logs.iter_rows(named=True):
        _, workspace, raw_source = row["workspace_id"].split("|")
        key = (row["usage_date"], workspace, _source_model(raw_source), row["llm_id"])
        for bucket in BUCKETS:
            sums[key][bucket] += row[f"{bucket}_cost_usd"]
        sums[key]["total"] += row["computed_cost_usd"]
        sums[key]["calls"] += 1
    return sums


def test_aggregated_repricing_equals_per_call_pricing_to_the_last_decimal(repriced: RepricedWarehouse) -> None:
    mart, per_call = _mart(repriced.db_path), _priced_copies(repriced.db_path)
    assert set(mart) == set(per_call)
    assert len(mart) > 500
    mismatches = [
        (key, bucket)
        for key, row in mart.items()
        for bucket in BUCKETS
        if row[f"repriced_{bucket}_cost_usd"] != per_call[key][bucket]
    ]
    mismatches += [key for key, row in mart.items() if row["repriced_cost_usd"] != per_call[key]["total"]]
    mismatches += [key for key, row in mart.items() if row["calls"] != per_call[key]["calls"]]
    assert not mismatches, mismatches[:5]


def test_repricing_equals_the_independent_reference(repriced: RepricedWarehouse) -> None:
    """The same sums from the Decimal reference, which reads the price CSV itself and shares no code."""
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for copy in repriced.copies:
        want = expected_cost(copy, copy["_target"], repriced.prices)
        if want.computed_cost_usd is None:
            continue
        source = copy["_source"]
        key = (source["occurred_at"].date(), source["workspace_id"], _source_model(source["model"]), copy["_target"])
        expected[key] += want.computed_cost_usd
    mart = _mart(repriced.db_path)
    assert {key: row["repriced_cost_usd"] for key, row in mart.items()} == dict(expected)


def test_actual_cost_and_coverage(repriced: RepricedWarehouse) -> None:
    """actual_cost_usd is the calls' own cost (provider-reported or computed, unpriced as 0); calls with
    inconsistent token counts are left out; cells cross tier classes and price epochs."""
    logs = read_table(repriced.db_path, "core.usage_logs").filter(pl.col("event_id").str.starts_with("src-"))
    repriceable = logs.filter(pl.col("uncached_input_tokens") >= 0)
    assert repriceable.height < logs.height
    actual = {
        (r["usage_date"], r["workspace_id"], r["model"]): (r["cost"], r["calls"])
        for r in repriceable.group_by("usage_date", "workspace_id", "model")
        .agg(cost=pl.col("cost_usd").fill_null(0).sum(), calls=pl.len())
        .iter_rows(named=True)
    }
    mart = _mart(repriced.db_path)
    for (day, workspace, source, _target), row in mart.items():
        cost, calls = actual[(day, workspace, source)]
        assert row["source_day_calls"] == calls
        if row["is_fully_repriced"]:
            assert row["actual_cost_usd"] == cost
    assert sum(row["target_long_context_tier_calls"] for row in mart.values()) > 1_000
    same = [row for row in mart.values() if row["is_same_model"]]
    assert same and all(row["target_llm_id"] == row["source_llm_id"] for row in same)
    mix = read_table(repriced.db_path, "marts.token_mix_daily")
    assert mix["tier_floor_tokens"].n_unique() == 3  # none, 128k, 200k
    assert mix.filter(pl.col("usage_date") == date(2025, 2, 8))["price_epoch_start_at"].n_unique() == 2


def test_the_targets_mart_sums_the_wholly_repriced_sources(repriced: RepricedWarehouse) -> None:
    """whatif_targets_daily (the What-if page's ranking) per day x workspace x target: the Decimal reference's
    repriced cost, and the calls' own cost, summed over the source models the target priced call for call."""
    logs = read_table(repriced.db_path, "core.usage_logs").filter(pl.col("event_id").str.starts_with("src-"))
    repriceable = logs.filter(pl.col("uncached_input_tokens") >= 0)
    day_calls: dict[tuple, int] = defaultdict(int)
    actual: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in repriceable.iter_rows(named=True):
        key = (row["usage_date"], row["workspace_id"], row["model"])
        day_calls[key] += 1
        actual[key] += row["cost_usd"] or Decimal(0)
    repriceable_ids = set(repriceable["event_id"])
    priced: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for copy in repriced.copies:
        source = copy["_source"]
        want = expected_cost(copy, copy["_target"], repriced.prices)
        if source["event_id"] not in repriceable_ids or want.computed_cost_usd is None:
            continue
        cell = priced[
            (source["occurred_at"].date(), source["workspace_id"], _source_model(source["model"]), copy["_target"])
        ]
        cell[0] += 1
        cell[1] += want.computed_cost_usd
    expected: dict[tuple, tuple[int, Decimal, Decimal]] = {}
    left_out = 0
    for (day, workspace, source, target), (calls, cost) in priced.items():
        if calls != day_calls[(day, workspace, source)]:
            left_out += calls
            continue
        before = expected.get((day, workspace, target), (0, Decimal(0), Decimal(0)))
        expected[(day, workspace, target)] = (
            before[0] + calls,
            before[1] + actual[(day, workspace, source)],
            before[2] + cost,
        )
    mart_all = read_table(repriced.db_path, "marts.whatif_targets_daily")
    mart = mart_all.filter(~pl.col("workspace_id").str.starts_with("copy|") & (pl.col("calls") > 0))
    published = {
        (r["usage_date"], r["workspace_id"], r["target_llm_id"]): (
            r["calls"],
            r["actual_cost_usd"],
            r["repriced_cost_usd"],
        )
        for r in mart.iter_rows(named=True)
    }
    assert published == expected
    assert len(expected) > 200  # 274 day x workspace x target cells
    left_in_mart = mart_all.filter(~pl.col("workspace_id").str.starts_with("copy|"))["left_out_calls"].sum()
    assert left_in_mart == left_out  # calls of sources the target priced only in part that day
    assert all(r["saving_usd"] == r["actual_cost_usd"] - r["repriced_cost_usd"] for r in mart.iter_rows(named=True))
