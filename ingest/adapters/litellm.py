"""LiteLLM proxy spend-log rows (`LiteLLM_SpendLogs`, as JSONL, CSV or Parquet export).

request_id → event_id and message_id; startTime (naive = UTC) → occurred_at; endTime − startTime → latency_ms;
completionStartTime − startTime → time_to_first_token_ms; team_id → workspace_id; end_user, else user →
user_id; session_id → conversation_id; custom_llm_provider → provider; model → model; call_type → operation
(completion/acompletion → chat, embedding/aembedding → embeddings); prompt_tokens / completion_tokens (LiteLLM
normalises to OpenAI's inclusive convention) → input/output; metadata.usage_object.prompt_tokens_details
.cached_tokens → cache read, metadata.usage_object.cache_creation_input_tokens → cache write,
metadata.usage_object.completion_tokens_details.reasoning_tokens → reasoning; spend → provider_cost_usd;
status failure → error; request_tags → tags; metadata → metadata.
"""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter
from ingest.contract import RecordType

STRUCTURE: dict[str, object] = {
    "request_id": "VARCHAR",
    "call_type": "VARCHAR",
    "startTime": "VARCHAR",
    "endTime": "VARCHAR",
    "completionStartTime": "VARCHAR",
    "model": "VARCHAR",
    "custom_llm_provider": "VARCHAR",
    "prompt_tokens": "VARCHAR",
    "completion_tokens": "VARCHAR",
    "spend": "VARCHAR",
    "user": "VARCHAR",
    "end_user": "VARCHAR",
    "team_id": "VARCHAR",
    "session_id": "VARCHAR",
    "status": "VARCHAR",
    "request_tags": "JSON",
    "metadata": "JSON",
}


def _ms_between(start: str, end: str) -> str:
    return f"(epoch_ms(try_cast({end}::varchar as timestamptz)) - epoch_ms(try_cast({start}::varchar as timestamptz)))"


def _mapping(path: Path, record_type: RecordType) -> dict[str, str]:
    usage = "json_extract_string(d.metadata::varchar, '$.usage_object.{}')"
    return {
        "event_id": "d.request_id",
        "occurred_at": "d.startTime",
        "workspace_id": "d.team_id",
        "user_id": "coalesce(nullif(d.end_user::varchar, ''), d.user)",
        "conversation_id": "nullif(d.session_id::varchar, '')",
        "message_id": "d.request_id",
        "provider": "d.custom_llm_provider",
        "model": "d.model",
        "operation": (
            "case when d.call_type in ('completion', 'acompletion') then 'chat' "
            "when d.call_type in ('embedding', 'aembedding') then 'embeddings' else d.call_type end"
        ),
        "input_tokens": "d.prompt_tokens",
        "output_tokens": "d.completion_tokens",
        "cache_read_input_tokens": f"coalesce({usage.format('prompt_tokens_details.cached_tokens')}, '0')",
        "cache_creation_input_tokens": f"coalesce({usage.format('cache_creation_input_tokens')}, '0')",
        "reasoning_output_tokens": (f"coalesce({usage.format('completion_tokens_details.reasoning_tokens')}, '0')"),
        "latency_ms": _ms_between("d.startTime", "d.endTime"),
        "time_to_first_token_ms": _ms_between("d.startTime", "d.completionStartTime"),
        "status": ("case when lower(d.status) = 'failure' then 'error' else coalesce(lower(d.status), 'success') end"),
        "provider_cost_usd": "d.spend",
        "tags": "try_cast(d.request_tags::varchar as varchar[])",
        "metadata": "d.metadata",
    }


ADAPTER = Adapter(
    name="litellm",
    record_type="usage",
    description="LiteLLM proxy spend-log rows (request_id, startTime, spend, prompt_tokens, ...)",
    structure=STRUCTURE,
    mapping=_mapping,
)
