"""Anthropic Messages API: envelope + the response under `response`. Anthropic's `usage.input_tokens` EXCLUDES
cache reads and cache writes, so the inclusive contract total is input = input_tokens +
cache_read_input_tokens + cache_creation_input_tokens (100 + 900 + 50 → 1050). Output = usage.output_tokens.
Defaults: provider `anthropic`, model = response.model, message_id = response.id, finish_reason =
response.stop_reason.
"""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter, envelope_mapping, flat_structure, sum_tokens
from ingest.contract import USAGE, RecordType

STRUCTURE: dict[str, object] = {
    **flat_structure(USAGE),
    "response": {
        "id": "VARCHAR",
        "model": "VARCHAR",
        "stop_reason": "VARCHAR",
        "usage": {
            "input_tokens": "VARCHAR",
            "output_tokens": "VARCHAR",
            "cache_read_input_tokens": "VARCHAR",
            "cache_creation_input_tokens": "VARCHAR",
        },
    },
}


def _mapping(path: Path, record_type: RecordType) -> dict[str, str]:
    usage = "d.response.usage"
    return {
        **envelope_mapping(record_type),
        "event_id": "coalesce(d.event_id, d.response.id)",
        "message_id": "coalesce(d.message_id, d.response.id)",
        "provider": "coalesce(d.provider, 'anthropic')",
        "model": "coalesce(d.model, d.response.model)",
        "input_tokens": sum_tokens(
            f"{usage}.input_tokens",
            f"{usage}.cache_read_input_tokens",
            f"{usage}.cache_creation_input_tokens",
        ),
        "output_tokens": f"{usage}.output_tokens",
        "cache_read_input_tokens": f"coalesce({usage}.cache_read_input_tokens, '0')",
        "cache_creation_input_tokens": f"coalesce({usage}.cache_creation_input_tokens, '0')",
        "reasoning_output_tokens": "'0'",
        "finish_reason": "coalesce(d.finish_reason, d.response.stop_reason)",
    }


ADAPTER = Adapter(
    name="anthropic",
    record_type="usage",
    description="envelope + Anthropic Messages `response` (usage.input_tokens excludes cache reads/writes)",
    structure=STRUCTURE,
    mapping=_mapping,
)
