"""OpenAI-style chat completion: an envelope (event_id, occurred_at, workspace_id, user_id, ...) with the
provider's response object under `response`. OpenAI counts are already inclusive:
input = usage.prompt_tokens (cached included), output = usage.completion_tokens (reasoning included),
cache read = usage.prompt_tokens_details.cached_tokens, reasoning =
usage.completion_tokens_details.reasoning_tokens. Defaults: provider `openai`, model = response.model,
message_id = event_id fallback = response.id, finish_reason = response.choices[0].finish_reason.
"""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter, envelope_mapping, flat_structure
from ingest.contract import USAGE, RecordType

STRUCTURE: dict[str, object] = {
    **flat_structure(USAGE),
    "response": {
        "id": "VARCHAR",
        "model": "VARCHAR",
        "choices": [{"finish_reason": "VARCHAR"}],
        "usage": {
            "prompt_tokens": "VARCHAR",
            "completion_tokens": "VARCHAR",
            "prompt_tokens_details": {"cached_tokens": "VARCHAR"},
            "completion_tokens_details": {"reasoning_tokens": "VARCHAR"},
        },
    },
}


def _mapping(path: Path, record_type: RecordType) -> dict[str, str]:
    usage = "d.response.usage"
    return {
        **envelope_mapping(record_type),
        "event_id": "coalesce(d.event_id, d.response.id)",
        "message_id": "coalesce(d.message_id, d.response.id)",
        "provider": "coalesce(d.provider, 'openai')",
        "model": "coalesce(d.model, d.response.model)",
        "input_tokens": f"{usage}.prompt_tokens",
        "output_tokens": f"{usage}.completion_tokens",
        "cache_read_input_tokens": f"coalesce({usage}.prompt_tokens_details.cached_tokens, '0')",
        "cache_creation_input_tokens": "'0'",
        "reasoning_output_tokens": f"coalesce({usage}.completion_tokens_details.reasoning_tokens, '0')",
        "finish_reason": "coalesce(d.finish_reason, d.response.choices[1].finish_reason)",
    }


ADAPTER = Adapter(
    name="openai",
    record_type="usage",
    description="envelope + OpenAI chat completion `response` (prompt_tokens/completion_tokens, inclusive)",
    structure=STRUCTURE,
    mapping=_mapping,
)
