"""synapscale.prices.litellm.import_litellm on the small LiteLLM fixture, into a temp copy of the seeds (no dbt)."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from synapscale.errors import UserError
from synapscale.prices.litellm import import_litellm
from synapscale.prices.litellm_fallback import shipped_catalog
from synapscale.prices.model_names import model_name_forms
from tests.support.cost_reference import LITELLM_FIXTURE
from tests.support.paths import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _prices(seeds: Path, llm_id: str) -> list[dict[str, str]]:
    return [row for row in _rows(seeds / "llm_prices.csv") if row["llm_id"] == llm_id]


def test_new_models_get_exact_per_million_prices(seeds: Path) -> None:
    report = import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    assert report.added_models == [
        "claude-sonnet-4-20250514",
        "databricks/databricks-claude-sonnet-4-1",
        "gemini-2.5-flash-preview-04-17",
        "o3-mini",
    ]
    (claude,) = _prices(seeds, "claude-sonnet-4-20250514")
    assert claude["price_id"] == "claude-sonnet-4-20250514@2026-12-01"
    assert claude["effective_from"] == "2026-12-01 00:00:00+00:00" and claude["effective_to"] == ""
    # 3e-06 per token = 3 per 1M, etc.: exact, plain notation
    assert [claude[c] for c in ("input_usd_per_1m", "output_usd_per_1m", "cache_read_usd_per_1m")] == ["3", "15", "0.3"]
    assert claude["cache_write_usd_per_1m"] == "3.75" and claude["reasoning_usd_per_1m"] == ""
    assert claude["tier_threshold_tokens"] == "200000"
    assert [claude[f"tier_{c}_usd_per_1m"] for c in ("input", "output", "cache_read", "cache_write")] == [
        "6",
        "22.5",
        "0.6",
        "7.5",
    ]
    (flash,) = _prices(seeds, "gemini-2.5-flash-preview-04-17")
    assert (flash["input_usd_per_1m"], flash["cache_read_usd_per_1m"], flash["reasoning_usd_per_1m"]) == (
        "0.15",
        "0.0375",
        "3.5",
    )
    catalog = {row["llm_id"]: row for row in _rows(seeds / "llm_catalog.csv")}
    assert catalog["claude-sonnet-4-20250514"]["provider"] == "anthropic"
    assert catalog["gemini-2.5-flash-preview-04-17"]["provider"] == "google"
    assert catalog["gemini-2.5-flash-preview-04-17"]["litellm_key"] == "gemini/gemini-2.5-flash-preview-04-17"
    assert catalog["o3-mini"]["context_window"] == "200000"


def test_every_imported_rate_is_the_per_token_price_times_a_million(seeds: Path) -> None:
    catalog = json.loads(LITELLM_FIXTURE.read_text(), parse_float=Decimal)
    import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    row = _prices(seeds, "o3-mini")[0]
    entry = catalog["o3-mini"]
    assert Decimal(row["input_usd_per_1m"]) == entry["input_cost_per_token"] * 1_000_000
    assert Decimal(row["output_usd_per_1m"]) == entry["output_cost_per_token"] * 1_000_000
    assert Decimal(row["cache_read_usd_per_1m"]) == entry["cache_read_input_token_cost"] * 1_000_000


def test_changed_price_closes_the_current_row_and_keeps_history(seeds: Path) -> None:
    before = _prices(seeds, "deepseek-chat")
    report = import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    after = _prices(seeds, "deepseek-chat")
    assert report.changed_prices == ["deepseek-chat"]
    assert after[:-2] == before[:-1]  # older history untouched
    assert after[-2] == {**before[-1], "effective_to": "2026-12-01 00:00:00+00:00"}
    assert after[-1]["price_id"] == "deepseek-chat@2026-12-01"
    assert (after[-1]["input_usd_per_1m"], after[-1]["output_usd_per_1m"]) == ("0.28", "0.42")
    assert after[-1]["effective_to"] == ""


def test_second_import_changes_nothing_and_says_so(seeds: Path) -> None:
    import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    snapshot = {p.name: p.read_bytes() for p in seeds.iterdir() if p.is_file()}
    lines: list[str] = []
    report = import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 2), progress=lines.append)
    assert not report.changed
    assert {p.name: p.read_bytes() for p in seeds.iterdir() if p.is_file()} == snapshot
    assert any("nothing changed" in line for line in lines)


def test_unchanged_prices_and_duplicate_keys_leave_the_seeds_alone(seeds: Path) -> None:
    lines: list[str] = []
    report = import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lines.append)
    assert "gpt-4o" in report.unchanged_prices
    # provider copies (azure/, openrouter's anthropic/) and the stale gemini/ key never override a model's own key
    assert report.skipped_duplicates == [
        "anthropic/claude-sonnet-4-20250514",
        "azure/gpt-4o",
        "gemini/gemini-1.5-pro",
    ]
    assert len(_prices(seeds, "gpt-4o")) == 2 and len(_prices(seeds, "gemini-1.5-pro")) == 2
    assert report.skipped_unpriced == ["bedrock/*/1-month-commitment/cohere.command-text-v14"]
    assert report.rounded == ["databricks/databricks-claude-sonnet-4-1"]
    assert _prices(seeds, "databricks/databricks-claude-sonnet-4-1")[0]["input_usd_per_1m"] == "2.99999"
    assert any(line.startswith("  4 models added: claude-sonnet-4-20250514") for line in lines)


def test_a_later_price_change_opens_a_new_row(seeds: Path, tmp_path: Path) -> None:
    import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    catalog = json.loads(LITELLM_FIXTURE.read_text())
    catalog["o3-mini"]["input_cost_per_token"] = 5.5e-07
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(catalog))
    report = import_litellm(changed, seeds, effective_from=date(2027, 1, 15), progress=lambda _: None)
    assert report.changed_prices == ["o3-mini"]
    rows = _prices(seeds, "o3-mini")
    assert [(r["effective_from"][:10], r["effective_to"][:10], r["input_usd_per_1m"]) for r in rows] == [
        ("2026-12-01", "2027-01-15", "1.1"),
        ("2027-01-15", "", "0.55"),
    ]


def test_a_date_before_the_current_price_is_refused(seeds: Path) -> None:
    report = import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 1, 1), progress=lambda _: None)
    assert report.conflicts == ["deepseek-chat (current from 2026-07-24 00:00:00+00:00)"]
    assert len(_prices(seeds, "deepseek-chat")) == 5


def test_the_real_catalog_imports_and_a_second_import_changes_nothing(seeds: Path, tmp_path: Path) -> None:
    real = tmp_path / "model_prices_and_context_window_1.110.2.json"
    real.write_bytes(gzip.decompress(shipped_catalog(SEEDS).read_bytes()))
    first = import_litellm(real, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    assert first.chat_entries == 3471 and len(first.added_models) > 1000
    assert not import_litellm(real, seeds, effective_from=date(2026, 12, 2), progress=lambda _: None).changed


def test_bad_inputs_are_user_errors(seeds: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match="not a JSON price catalog"):
        import_litellm(bad, seeds)
    with pytest.raises(UserError, match="seed file not found"):
        import_litellm(LITELLM_FIXTURE, tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("raw", "forms"),
    [
        ("us.anthropic.claude-3-haiku-20240307-v1:0", ("claude-3-haiku-20240307-v1:0", "claude-3-haiku")),
        ("openai/gpt-4o-2024-08-06", ("gpt-4o-2024-08-06", "gpt-4o")),
        ("gemini/gemini-1.5-pro-002", ("gemini-1.5-pro-002", "gemini-1.5-pro")),
        ("vertex_ai/claude-3-opus@20240229", ("claude-3-opus@20240229", "claude-3-opus")),
        ("gpt-3.5-turbo-1106", ("gpt-3.5-turbo-1106", "gpt-3.5-turbo-1106")),
    ],
)
def test_name_normalisation_mirrors_the_sql_macros(raw: str, forms: tuple[str, str]) -> None:
    assert model_name_forms(raw)[1:] == forms


def test_a_second_import_the_same_day_corrects_the_row_in_place(seeds: Path, tmp_path: Path) -> None:
    import_litellm(LITELLM_FIXTURE, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    catalog = json.loads(LITELLM_FIXTURE.read_text())
    catalog["o3-mini"]["output_cost_per_token"] = 4.5e-06
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(catalog))
    report = import_litellm(fixed, seeds, effective_from=date(2026, 12, 1), progress=lambda _: None)
    assert report.corrected_prices == ["o3-mini"]
    (row,) = _prices(seeds, "o3-mini")
    assert (row["price_id"], row["output_usd_per_1m"]) == ("o3-mini@2026-12-01", "4.5")
