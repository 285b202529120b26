"""The raw contract itself (docs/ingest.md, "The raw contract"): field names are the contract's column
names."""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter, flat_structure
from ingest.contract import RECORD_TYPES, RecordType


def _structure() -> dict[str, object]:
    merged: dict[str, object] = {}
    for record_type in RECORD_TYPES.values():
        merged.update(flat_structure(record_type))
    return merged


def _mapping(path: Path, record_type: RecordType) -> dict[str, str]:
    return {name: f"d.{name}" for name in record_type.columns}


ADAPTER = Adapter(
    name="canonical",
    record_type=None,
    description="records already in the raw contract's shape (usage, feedback, workspace or user)",
    structure=_structure(),
    mapping=_mapping,
)
