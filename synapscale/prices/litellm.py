"""Import a LiteLLM price catalog (USD per token) into the price seeds (USD per 1M tokens), keeping history.

Which keys feed which model (docs/cost.md has the long version):
- Only ``mode == "chat"`` entries with numeric ``input_cost_per_token`` and ``output_cost_per_token``.
- A key resolves to an existing model like a raw model name does in dbt (int_model_names_resolved): the
  alias seed, then the catalog's llm_ids, on the key as written, without provider/region/vendor prefixes,
  and without date/version suffixes. A catalog model is updated only from its own ``litellm_key`` (the key
  its prices were taken from); other keys that resolve to it (``azure/gpt-4o``, ``gemini/gemini-1.5-pro``)
  are skipped as duplicates, because LiteLLM's provider-prefixed copies are often stale.
- Any other key becomes a new model whose llm_id is the key lower-cased without its routing prefixes
  (``xai/grok-3`` -> ``grok-3``; dated snapshots keep their date because LiteLLM prices them separately).
  When several keys give the same llm_id, the first-party one wins (key == llm_id, then the vendor's own
  LiteLLM provider, then the shortest key); the others are reported as duplicates.
- A price that differs from the model's current row closes that row (effective_to = effective_from) and
  opens a new one; equal prices change nothing, so a second import is a no-op.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from synapscale.errors import UserError
from synapscale.prices.litellm_rates import Rates, rates_from_entry
from synapscale.prices.model_names import build_name_lookup, model_name_forms, resolve_model_name
from synapscale.prices.seeds import (
    ALIASES_FILE,
    CATALOG_COLUMNS,
    CATALOG_FILE,
    PRICE_COLUMNS,
    PRICES_FILE,
    format_timestamp,
    parse_timestamp,
    read_seed,
    write_seed,
)

# LiteLLM provider -> the provider name the catalog uses; others are kept as LiteLLM spells them.
PROVIDER_NAMES = {
    "gemini": "google",
    "vertex_ai": "google",
    "vertex_ai-language-models": "google",
    "text-completion-openai": "openai",
    "bedrock_converse": "bedrock",
    "azure_ai": "azure",
}
# Providers that sell their own models: their key wins when several keys give the same new llm_id.
FIRST_PARTY_PROVIDERS = frozenset(
    {"openai", "anthropic", "gemini", "vertex_ai-language-models", "xai", "deepseek", "mistral", "cohere"}
)


@dataclass
class ImportReport:
    """What an import did; `changed` is False when the seeds already matched the catalog."""

    catalog_path: Path
    chat_entries: int = 0
    added_models: list[str] = field(default_factory=list)
    added_prices: list[str] = field(default_factory=list)
    changed_prices: list[str] = field(default_factory=list)
    corrected_prices: list[str] = field(default_factory=list)
    unchanged_prices: list[str] = field(default_factory=list)
    skipped_duplicates: list[str] = field(default_factory=list)
    skipped_unpriced: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    rounded: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added_models or self.added_prices or self.changed_prices or self.corrected_prices)

    def lines(self) -> list[str]:
        out = [f"import-litellm {self.catalog_path.name}: {self.chat_entries} chat entries read"]
        for label, names in (
            ("models added", self.added_models),
            ("prices added (no current price)", self.added_prices),
            ("prices changed (current row closed, new row opened)", self.changed_prices),
            ("prices corrected in place (row opened the same day)", self.corrected_prices),
            ("prices unchanged", self.unchanged_prices),
            ("keys skipped as duplicates of another key", self.skipped_duplicates),
            ("keys skipped without token prices the engine can represent", self.skipped_unpriced),
            ("models skipped: effective date before their current price", self.conflicts),
            ("rates rounded to 12 decimals per 1M tokens", self.rounded),
        ):
            if names:
                out.append(f"  {len(names)} {label}: {_first_few(names)}")
        if not self.changed:
            out.append("  nothing changed: the seeds already match this catalog")
        return out


def import_litellm(
    catalog_path: Path,
    seeds_dir: Path,
    effective_from: date | None = None,
    progress: Callable[[str], None] = print,
) -> ImportReport:
    """Merge the chat models of a LiteLLM catalog into seeds_dir's llm_catalog.csv and llm_prices.csv."""
    catalog_path, seeds_dir = Path(catalog_path), Path(seeds_dir)
    starts_at = datetime.combine(effective_from or date.today(), time(0), tzinfo=UTC)
    entries = read_litellm_catalog(catalog_path)
    catalog = read_seed(seeds_dir / CATALOG_FILE, CATALOG_COLUMNS)
    prices = read_seed(seeds_dir / PRICES_FILE, PRICE_COLUMNS)
    aliases = read_seed(seeds_dir / ALIASES_FILE, ("alias", "llm_id"))

    report = ImportReport(catalog_path=catalog_path)
    chosen = _choose_entries(entries, catalog, aliases, report)
    catalog_by_id = {row["llm_id"]: row for row in catalog}
    source = f"litellm {catalog_path.name}"

    for llm_id, (key, entry, rates) in sorted(chosen.items()):
        if llm_id not in catalog_by_id:
            catalog_by_id[llm_id] = _catalog_row(llm_id, key, entry, starts_at)
            report.added_models.append(llm_id)
        elif not catalog_by_id[llm_id]["litellm_key"]:
            catalog_by_id[llm_id]["litellm_key"] = key
        provider = catalog_by_id[llm_id]["provider"]
        _merge_price(prices, llm_id, provider, key, rates, starts_at, source, report)

    if report.changed:
        write_seed(seeds_dir / CATALOG_FILE, CATALOG_COLUMNS, catalog_by_id.values(), ("llm_id",))
        write_seed(seeds_dir / PRICES_FILE, PRICE_COLUMNS, prices, ("llm_id", "effective_from"))
    for line in report.lines():
        progress(line)
    return report


def read_litellm_catalog(path: Path) -> dict[str, dict[str, Any]]:
    """The catalog's entries (without "sample_spec"), numbers as exact Decimals."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file; pass a LiteLLM model_prices_and_context_window.json") from None
    except (json.JSONDecodeError, UnicodeDecodeError, gzip.BadGzipFile) as error:
        raise UserError(f"{path}: not a JSON price catalog ({error}); check the file") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object of model entries (LiteLLM format)")
    return {key: value for key, value in data.items() if key != "sample_spec" and isinstance(value, dict)}


def _choose_entries(
    entries: dict[str, dict[str, Any]],
    catalog: list[dict[str, str]],
    aliases: list[dict[str, str]],
    report: ImportReport,
    modes: frozenset[str] = frozenset({"chat"}),
) -> dict[str, tuple[str, dict[str, Any], Rates]]:
    """One (key, entry, rates) per llm_id; the rest are reported as duplicates or unpriced."""
    lookup = build_name_lookup(aliases, catalog)
    own_key = {row["litellm_key"]: row["llm_id"] for row in catalog if row["litellm_key"]}
    candidates: dict[str, list[tuple[str, dict[str, Any], Rates]]] = {}
    for key in sorted(entries):
        entry = entries[key]
        if entry.get("mode") not in modes:
            continue
        report.chat_entries += 1
        rates, rounded = rates_from_entry(entry)
        if rates is None:
            report.skipped_unpriced.append(key)
            continue
        if rounded:
            report.rounded.append(key)
        llm_id = own_key.get(key) or resolve_model_name(key, lookup)
        if llm_id is not None and own_key.get(key) != llm_id and llm_id in own_key.values():
            report.skipped_duplicates.append(key)  # an existing model fed by another key
            continue
        candidates.setdefault(llm_id or model_name_forms(key)[1], []).append((key, entry, rates))

    chosen = {}
    for llm_id, options in candidates.items():
        options.sort(key=lambda option: _preference(llm_id, option[0], option[1]))
        chosen[llm_id] = options[0]
        report.skipped_duplicates.extend(key for key, _, _ in options[1:])
    report.skipped_duplicates.sort()
    return chosen


def _preference(llm_id: str, key: str, entry: dict[str, Any]) -> tuple[bool, bool, int, str]:
    return (key.lower() != llm_id, entry.get("litellm_provider") not in FIRST_PARTY_PROVIDERS, len(key), key)


def _merge_price(
    prices: list[dict[str, str]],
    llm_id: str,
    provider: str,
    key: str,
    rates: Rates,
    starts_at: datetime,
    source: str,
    report: ImportReport,
) -> None:
    history = sorted((row for row in prices if row["llm_id"] == llm_id), key=lambda row: row["effective_from"])
    latest = history[-1] if history else None
    new_row = {
        "price_id": price_id(llm_id, starts_at),
        "llm_id": llm_id,
        "provider": provider,
        "effective_from": format_timestamp(starts_at),
        "effective_to": "",
        **rates.as_row(),
        "source": f"{source} key {key}",
        "note": "Imported by synapscale prices import-litellm.",
    }
    if latest is None:
        prices.append(new_row)
        report.added_prices.append(llm_id)
        return
    latest_from = parse_timestamp(latest["effective_from"])
    latest_to = parse_timestamp(latest["effective_to"]) if latest["effective_to"] else None
    if latest_to is None and Rates.from_row(latest) == rates:
        report.unchanged_prices.append(llm_id)
    elif latest_to is None and latest_from == starts_at:
        latest.update({k: v for k, v in new_row.items() if k not in ("price_id", "effective_from")})
        report.corrected_prices.append(llm_id)
    elif latest_from >= starts_at or (latest_to is not None and latest_to > starts_at):
        report.conflicts.append(f"{llm_id} (current from {latest['effective_from']})")
    else:
        if latest_to is None:
            latest["effective_to"] = format_timestamp(starts_at)
            report.changed_prices.append(llm_id)
        else:
            report.added_prices.append(llm_id)
        prices.append(new_row)


def _catalog_row(llm_id: str, key: str, entry: dict[str, Any], starts_at: datetime) -> dict[str, str]:
    provider = str(entry.get("litellm_provider") or "unknown")
    deprecated = str(entry.get("deprecation_date") or "")
    return {
        "llm_id": llm_id,
        "provider": PROVIDER_NAMES.get(provider, provider),
        "display_name": key,
        "family": "",
        "context_window": _whole_number(entry.get("max_input_tokens")),
        "max_output_tokens": _whole_number(entry.get("max_output_tokens")),
        "supports_prompt_cache": _flag(
            entry.get("supports_prompt_caching") or entry.get("cache_read_input_token_cost") is not None
        ),
        "supports_reasoning": _flag(entry.get("supports_reasoning")),
        "supports_vision": _flag(entry.get("supports_vision")),
        "is_active": _flag(not deprecated or deprecated > starts_at.date().isoformat()),
        "released_on": "",
        "litellm_key": key,
    }


def price_id(llm_id: str, starts_at: datetime) -> str:
    """'<llm_id>@YYYY-MM-DD', plus 'THH:MM' when the price does not change at midnight UTC."""
    utc = starts_at.astimezone(UTC)
    return f"{llm_id}@{utc:%Y-%m-%d}" if utc.time() == time(0) else f"{llm_id}@{utc:%Y-%m-%dT%H:%M}"


def _whole_number(value: Any) -> str:
    return str(int(value)) if isinstance(value, int | Decimal) and not isinstance(value, bool) else ""


def _flag(value: Any) -> str:
    return "true" if value else "false"


def _first_few(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return f"{shown}, ... (+{len(names) - limit} more)" if len(names) > limit else shown
