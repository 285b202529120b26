"""Adapters: map foreign record shapes (provider usage objects, OTel spans, gateway logs) onto the raw
contract.

An adapter is declarative: the JSON `structure` DuckDB's `json_transform` parses each record into (a struct
named `d`; for CSV/Parquet sources `d` is built from the file's columns), and a `mapping` from each contract
column to a SQL expression over `d` (and `_line`). Values stay as text (or the file's own type) here;
converting and checking types is validation's job, so a bad value is quarantined with the right reason instead
of being silently turned into NULL. Everything runs as one set-based DuckDB query per file: no Python loop
over records.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.contract import RECORD_TYPES, RecordType

INT_PATTERN = r"^\s*-?[0-9]+\s*$"


@dataclass(frozen=True)
class Adapter:
    """One input shape. `record_type` None means the canonical adapter (any record type)."""

    name: str
    record_type: str | None
    description: str
    structure: dict[str, object] = field(default_factory=dict)
    mapping: Callable[[Path, RecordType], dict[str, str]] | None = None
    # A full custom query (OTel: one JSON document holds many spans). Gets the path, returns SQL over `_src`.
    custom_sql: Callable[[Path], str] | None = None

    def select_sql(self, path: Path, record_type: RecordType, source_columns: dict[str, str], is_json: bool) -> str:
        """SQL over `_src` giving `_line, _raw, _unparseable` and every contract column of `record_type`."""
        if self.custom_sql is not None:
            return self.custom_sql(path)
        assert self.mapping is not None
        mapping = self.mapping(path, record_type)
        columns = ",\n    ".join(f"{mapping.get(name, 'null::varchar')} as {name}" for name in record_type.columns)
        if is_json:
            structure = json.dumps(self.structure).replace("'", "''")
            parsed = f"try(json_transform(_raw, '{structure}'))"
            unparseable = "(d is null or not starts_with(ltrim(_raw), '{'))"
        else:
            # CSV/Parquet: the row's own columns; absent ones are NULL text.
            items = [f"'{key}': {_quote(key) if key in source_columns else 'null::varchar'}" for key in self.structure]
            parsed = "{" + ", ".join(items) + "}" if items else "null"
            unparseable = "false"
        return (
            f"select _line as _rec, _line, _raw, {unparseable} as _unparseable,\n    {columns}\n"
            f"from (select _line, _raw, {parsed} as d from _src)"
        )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def flat_structure(record_type: RecordType) -> dict[str, object]:
    """Contract columns as json_transform types: scalars as text, tags a text list, metadata kept as JSON."""
    special = {"tags": ["VARCHAR"], "metadata": "JSON"}
    return {name: special.get(name, "VARCHAR") for name in record_type.columns}


def sum_tokens(main: str, *parts: str) -> str:
    """SQL for main + parts (parts default 0) over text values; a non-integer operand is passed through as
    text
    (e.g. `12 + lots`) so validation quarantines it as wrong_type instead of silently dropping it."""
    operands = [main, *parts]
    all_int = " and ".join(f"({op} is null or regexp_matches({op}::varchar, '{INT_PATTERN}'))" for op in operands)
    total = " + ".join([f"{main}::bigint", *(f"coalesce({p}::bigint, 0)" for p in parts)])
    text = "concat_ws(' + ', " + ", ".join(f"{op}::varchar" for op in operands) + ")"
    return f"(case when {main} is null then null when {all_int} then ({total})::varchar else {text} end)"


def envelope_mapping(record_type: RecordType) -> dict[str, str]:
    """Envelope fields that keep their contract name: `d.<name>`."""
    return {name: f"d.{name}" for name in record_type.columns}


def registry() -> dict[str, Adapter]:
    from ingest.adapters import anthropic, azure_trace, canonical, gemini, litellm, openai, otel

    adapters = [
        canonical.ADAPTER,
        openai.ADAPTER,
        anthropic.ADAPTER,
        gemini.ADAPTER,
        otel.ADAPTER,
        litellm.ADAPTER,
        azure_trace.ADAPTER,
    ]
    return {adapter.name: adapter for adapter in adapters}


__all__ = ["RECORD_TYPES", "Adapter", "envelope_mapping", "flat_structure", "registry", "sum_tokens"]
