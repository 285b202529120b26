"""Google Gemini generateContent: envelope + the response under `response` with `usageMetadata`.
promptTokenCount already includes cachedContentTokenCount; thoughtsTokenCount is SEPARATE from
candidatesTokenCount, so output = candidatesTokenCount + thoughtsTokenCount and reasoning =
thoughtsTokenCount. Defaults: provider `google`, model = response.modelVersion, message_id =
response.responseId, finish_reason = response.candidates[0].finishReason.
"""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter, envelope_mapping, flat_structure, sum_tokens
from ingest.contract import USAGE, RecordType

STRUCTURE: dict[str, object] = {
    **flat_structure(USAGE),
    "response": {
        "responseId": "VARCHAR",
        "modelVersion": "VARCHAR",
        "candidates": [{"finishReason": "VARCHAR"}],
        "usageMetadata": {
            "promptTokenCount": "VARCHAR",
            "candidatesTokenCount": "VARCHAR",
            "cachedContentTokenCount": "VARCHAR",
            "thoughtsTokenCount": "VARCHAR",
        },
    },
}


def _mapping(path: Path, record_type: RecordType) -> dict[str, str]:
    usage = "d.response.usageMetadata"
    return {
        **envelope_mapping(record_type),
        "event_id": "coalesce(d.event_id, d.response.responseId)",
        "message_id": "coalesce(d.message_id, d.response.responseId)",
        "provider": "coalesce(d.provider, 'google')",
        "model": "coalesce(d.model, d.response.modelVersion)",
        "input_tokens": f"{usage}.promptTokenCount",
        "output_tokens": sum_tokens(f"coalesce({usage}.candidatesTokenCount, '0')", f"{usage}.thoughtsTokenCount"),
        "cache_read_input_tokens": f"coalesce({usage}.cachedContentTokenCount, '0')",
        "cache_creation_input_tokens": "'0'",
        "reasoning_output_tokens": f"coalesce({usage}.thoughtsTokenCount, '0')",
        "finish_reason": "coalesce(d.finish_reason, lower(d.response.candidates[1].finishReason))",
    }


ADAPTER = Adapter(
    name="gemini",
    record_type="usage",
    description="envelope + Gemini `response.usageMetadata` (thoughtsTokenCount separate from candidates)",
    structure=STRUCTURE,
    mapping=_mapping,
)
