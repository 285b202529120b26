"""The raw contract itself (docs/ingest.md, "The raw contract"): field names are the contract's column names.
Identified by a contract key (`event_id`, `feedback_id`, `user_id` or `workspace_id`) and no provider `response`
(an envelope whose response no provider adapter recognises is not a canonical record: its file fails detection
with the keys it shows, and such a record in a canonical file has no token counts, so it is quarantined)."""

from __future__ import annotations

from ingest.adapters import ENVELOPE_ATTRIBUTES, Adapter, MappingContext, Signature, envelope_ids, flat_structure
from ingest.contract import RECORD_TYPES


def _structure() -> dict[str, object]:
    merged: dict[str, object] = {}
    for record_type in RECORD_TYPES.values():
        merged.update(flat_structure(record_type))
    return merged


def _mapping(context: MappingContext) -> dict[str, str]:
    mapping = {name: f"d.{name}" for name in context.record_type.columns}
    if context.record_type.name == "usage":
        mapping.update(envelope_ids(context, ENVELOPE_ATTRIBUTES))
    return mapping


ADAPTER = Adapter(
    name="canonical",
    record_type=None,
    description="records already in the raw contract's shape (usage, feedback, workspace or user)",
    signature=Signature(any_of=("event_id", "feedback_id", "user_id", "workspace_id"), none_of=("response",)),
    structure=_structure(),
    mapping=_mapping,
    usage_hint="the record has no input_tokens or output_tokens",
    foreign=False,
)
