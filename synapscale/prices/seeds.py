"""The price seeds as files: their columns, reading them, and writing them canonically (sorted rows, fixed
columns, plain numbers, '\\n' line ends), so re-writing unchanged data changes no byte."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from synapscale.errors import UserError

PRICES_FILE = "llm_prices.csv"
CATALOG_FILE = "llm_catalog.csv"
ALIASES_FILE = "llm_aliases.csv"

PRICE_COLUMNS = (
    "price_id",
    "llm_id",
    "provider",
    "effective_from",
    "effective_to",
    "input_usd_per_1m",
    "output_usd_per_1m",
    "cache_read_usd_per_1m",
    "cache_write_usd_per_1m",
    "cache_write_1h_usd_per_1m",
    "reasoning_usd_per_1m",
    "tier_threshold_tokens",
    "tier_input_usd_per_1m",
    "tier_output_usd_per_1m",
    "tier_cache_read_usd_per_1m",
    "tier_cache_write_usd_per_1m",
    "tier_cache_write_1h_usd_per_1m",
    "source",
    "note",
)
CATALOG_COLUMNS = (
    "llm_id",
    "provider",
    "display_name",
    "family",
    "context_window",
    "max_output_tokens",
    "supports_prompt_cache",
    "supports_reasoning",
    "supports_vision",
    "is_active",
    "released_on",
    "litellm_key",
)


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


def parse_timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_number(value: Decimal | int | None) -> str:
    """Plain, minimal notation ('2.5', '0.0028', '10'), never scientific; '' for None."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0E-12") else text


def read_seed(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise UserError(f"{path}: seed file not found; pass --seeds-dir pointing at the project's seeds folder")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise UserError(f"{path}: missing columns {', '.join(missing)}; compare with docs/cost.md")
        return [{k: (v or "") for k, v in row.items()} for row in reader]


def write_seed(path: Path, columns: Iterable[str], rows: Iterable[dict[str, str]], sort_by: tuple[str, ...]) -> None:
    """Sorted rows, fixed columns, canonical numbers, '\\n' line ends: a re-write of unchanged data is a no-op."""
    columns = tuple(columns)
    ordered = sorted(rows, key=lambda row: tuple(row[column] for column in sort_by))
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in ordered:
            writer.writerow([_canonical(column, row.get(column, "")) for column in columns])
    tmp.replace(path)


def _canonical(column: str, value: str) -> str:
    if column.endswith("_usd_per_1m") and value:
        try:
            return format_number(Decimal(value))
        except InvalidOperation:
            raise UserError(f"{column}: not a number: {value!r}") from None
    return value
