"""The LiteLLM catalog as the fallback price source: seeds/litellm_prices.csv, written from the shipped catalog.

The curated seeds (llm_catalog, llm_prices) are the product's own and win; a raw model name that none of them
resolves is looked up in this seed (docs/cost.md, "The LiteLLM fallback"). The seed is derived data: it is
written from the copy of LiteLLM's model_prices_and_context_window.json kept in seeds/litellm/ (gzip), by
`synapscale prices litellm-fallback FILE --version V`, and a test checks that the two agree.

Which keys feed which model is the import's rule (synapscale/prices/litellm.py), without the curated seeds: one
row per llm_id = the key lower-cased without its routing prefixes, the first-party key winning; entries whose
mode is chat, responses, completion or embedding and that give per-token input and output prices.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from synapscale.errors import UserError
from synapscale.prices.litellm import (
    PROVIDER_NAMES,
    ImportReport,
    _choose_entries,
    _flag,
    _whole_number,
    read_litellm_catalog,
)
from synapscale.prices.litellm_rates import Rates
from synapscale.prices.seeds import write_seed

FALLBACK_FILE = "litellm_prices.csv"
SHIPPED_DIR = "litellm"
# Modes whose entries are priced per token; image, audio, video, rerank, ... entries are not imported.
FALLBACK_MODES = frozenset({"chat", "responses", "completion", "embedding"})
RATE_COLUMNS = tuple(f.name for f in fields(Rates))
FALLBACK_COLUMNS = (
    "llm_id",
    "price_id",
    "litellm_key",
    "litellm_provider",
    "provider",
    "mode",
    "context_window",
    "max_output_tokens",
    "supports_prompt_cache",
    "supports_reasoning",
    "supports_vision",
    "deprecated_on",
    *RATE_COLUMNS,
    "source",
)
VERSION = re.compile(r"^\d+(\.\d+)*$")


@dataclass(frozen=True)
class FallbackCatalog:
    rows: list[dict[str, str]]
    report: ImportReport


def shipped_catalog(seeds_dir: Path) -> Path:
    """The one shipped LiteLLM catalog (seeds/litellm/model_prices_and_context_window_<version>.json.gz)."""
    found = sorted((seeds_dir / SHIPPED_DIR).glob("model_prices_and_context_window_*.json.gz"))
    if len(found) != 1:
        raise UserError(
            f"{seeds_dir / SHIPPED_DIR}: expected one model_prices_and_context_window_<version>.json.gz, found "
            f"{len(found)}; run `synapscale prices litellm-fallback FILE --version V`"
        )
    return found[0]


def catalog_version(path: Path) -> str:
    return path.name.removeprefix("model_prices_and_context_window_").removesuffix(".json.gz")


def fallback_rows(entries: dict[str, dict[str, Any]], version: str) -> FallbackCatalog:
    """One seed row per fallback llm_id, in seed column order."""
    report = ImportReport(catalog_path=Path(f"litellm {version}"))
    chosen = _choose_entries(entries, [], [], report, modes=FALLBACK_MODES)
    rows = []
    for llm_id, (key, entry, rates) in sorted(chosen.items()):
        provider = str(entry.get("litellm_provider") or "unknown")
        rows.append(
            {
                "llm_id": llm_id,
                "price_id": f"{llm_id}@litellm-{version}",
                "litellm_key": key,
                "litellm_provider": provider,
                "provider": PROVIDER_NAMES.get(provider, provider),
                "mode": str(entry["mode"]),
                "context_window": _whole_number(entry.get("max_input_tokens")),
                "max_output_tokens": _whole_number(entry.get("max_output_tokens")),
                "supports_prompt_cache": _flag(rates.cache_read_usd_per_1m is not None),
                "supports_reasoning": _flag(entry.get("supports_reasoning")),
                "supports_vision": _flag(entry.get("supports_vision")),
                "deprecated_on": _date(entry.get("deprecation_date")),
                **rates.as_row(),
                "source": f"litellm {version} key {key}",
            }
        )
    return FallbackCatalog(rows, report)


def write_litellm_fallback(
    catalog_path: Path, seeds_dir: Path, version: str, progress: Callable[[str], None] = print
) -> FallbackCatalog:
    """Ship `catalog_path` (gzip) as seeds/litellm/, replacing the previous copy, and write the fallback seed."""
    if not VERSION.match(version):
        raise UserError(f"--version {version!r}: expected the LiteLLM release, e.g. 1.110.2")
    catalog = fallback_rows(read_litellm_catalog(Path(catalog_path)), version)
    shipped = seeds_dir / SHIPPED_DIR / f"model_prices_and_context_window_{version}.json.gz"
    shipped.parent.mkdir(parents=True, exist_ok=True)
    data = Path(catalog_path).read_bytes()
    if not data.startswith(b"\x1f\x8b"):
        data = gzip.compress(data, mtime=0)
    tmp = shipped.with_suffix(".tmp")
    tmp.write_bytes(data)
    for old in shipped.parent.glob("model_prices_and_context_window_*.json.gz"):
        if old != shipped:
            old.unlink()
    tmp.replace(shipped)
    write_seed(seeds_dir / FALLBACK_FILE, FALLBACK_COLUMNS, catalog.rows, ("llm_id",))
    report = catalog.report
    progress(f"litellm-fallback {version}: {len(catalog.rows)} models priced, written to {seeds_dir / FALLBACK_FILE}")
    progress(f"  {len(report.skipped_duplicates)} keys skipped as duplicates of another key's model")
    progress(f"  {len(report.skipped_unpriced)} keys skipped without token prices the engine can represent")
    progress(f"  catalog shipped as {shipped}")
    return catalog


def _date(value: Any) -> str:
    text = str(value or "").strip()
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else ""
