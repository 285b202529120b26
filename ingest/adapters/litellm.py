"""LiteLLM proxy spend logs (`LiteLLM_SpendLogs` rows): JSONL, CSV or Parquet exports, and the JSON array the proxy's
`/spend/logs` endpoint returns. `metadata` (and `request_tags`) may be a JSON object or, as LiteLLM's own
SpendLogsPayload has it, a JSON string holding one: both are read.

request_id -> event_id and message_id; startTime (naive = UTC) -> occurred_at; endTime - startTime -> latency_ms and
completionStartTime - startTime -> time_to_first_token_ms, in microseconds (the rows carry them); attribution
(native: team_id, else metadata.user_api_key_team_id -> workspace_id; end_user, else user, else
metadata.user_api_key_user_id, after the defaults the hashed api_key -> user_id); session_id -> conversation_id;
custom_llm_provider as this product's provider names (providers.NAMES), else from api_base; model -> model;
call_type -> operation (completion -> chat, text_completion -> completion, embedding -> embeddings,
image_generation, transcription -> audio_transcription, speech -> audio_speech, responses / anthropic_messages ->
chat, each also `a`-prefixed); prompt_tokens / completion_tokens (LiteLLM normalises every provider to OpenAI's
inclusive convention) -> input / output; metadata.usage_object: prompt_tokens_details.cached_tokens (else
cache_read_input_tokens) -> cache read, cache_creation_input_tokens -> cache write,
completion_tokens_details.reasoning_tokens -> reasoning; spend -> provider_cost_usd; status failure -> error
(error_information.error_class); request_tags -> tags.
"""

from __future__ import annotations

from ingest.adapters import Adapter, MappingContext, Signature, attribute_lookup, providers, token_counts

STRUCTURE: dict[str, object] = {
    "request_id": "VARCHAR",
    "api_key": "VARCHAR",
    "call_type": "VARCHAR",
    "startTime": "VARCHAR",
    "endTime": "VARCHAR",
    "completionStartTime": "VARCHAR",
    "model": "VARCHAR",
    "model_group": "VARCHAR",
    "custom_llm_provider": "VARCHAR",
    "api_base": "VARCHAR",
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

OPERATIONS = {
    "completion": "chat",
    "text_completion": "completion",
    "embedding": "embeddings",
    "image_generation": "image_generation",
    "transcription": "audio_transcription",
    "speech": "audio_speech",
    "responses": "chat",
    "anthropic_messages": "chat",
}


def json_value(expr: str) -> str:
    """SQL: a JSON value that may itself be a JSON string holding JSON (or CSV text of JSON), as JSON."""
    text = f"({expr})::varchar"
    inner = f"json_extract_string({text}, '$')"
    return (
        f"(case when typeof({expr}) not in ('VARCHAR', 'JSON') then to_json({expr}) "
        f"when not json_valid({text}) then null "
        f"when json_type({text}) = 'VARCHAR' then case when json_valid({inner}) then {inner}::json end "
        f"else {text}::json end)"
    )


def _derived(context: MappingContext) -> dict[str, str]:
    return {"l_meta": json_value("d.metadata"), "l_tags": json_value("d.request_tags")}


def _usage(path: str) -> str:
    return f"json_extract_string(l_meta, '$.usage_object.{path}')"


def _ms_between(start: str, end: str) -> str:
    return (
        f"((epoch_us(try_cast({end}::varchar as timestamptz)) "
        f"- epoch_us(try_cast({start}::varchar as timestamptz))) / 1000.0)"
    )


def _operation() -> str:
    names = " ".join(
        f"when '{call}' then '{operation}' when 'a{call}' then '{operation}'" for call, operation in OPERATIONS.items()
    )
    return f"case d.call_type {names} else d.call_type end"


ATTRIBUTES = {
    "team_id": "nullif(d.team_id, '')",
    "user": "nullif(d.user, '')",
    "end_user": "nullif(d.end_user, '')",
    "model_group": "d.model_group",
    "api_base": "d.api_base",
    "api_key": "d.api_key",
    "user_api_key_team_id": "json_extract_string(l_meta, '$.user_api_key_team_id')",
    "user_api_key_team_alias": "json_extract_string(l_meta, '$.user_api_key_team_alias')",
    "user_api_key_user_id": "json_extract_string(l_meta, '$.user_api_key_user_id')",
    "user_api_key_alias": "json_extract_string(l_meta, '$.user_api_key_alias')",
}


def _mapping(context: MappingContext) -> dict[str, str]:
    lookup = attribute_lookup(ATTRIBUTES)
    workspace = f"coalesce({ATTRIBUTES['team_id']}, {ATTRIBUTES['user_api_key_team_id']})"
    user = f"coalesce({ATTRIBUTES['end_user']}, {ATTRIBUTES['user']}, {ATTRIBUTES['user_api_key_user_id']})"
    provider = providers.name_sql("d.custom_llm_provider")
    return {
        "event_id": "d.request_id",
        "occurred_at": "d.startTime",
        "workspace_id": context.attribution.id_sql("workspace", workspace, lookup),
        "user_id": context.attribution.id_sql("user", user, lookup, "nullif(d.api_key, '')"),
        "conversation_id": "nullif(d.session_id::varchar, '')",
        "message_id": "d.request_id",
        "provider": f"coalesce({provider}, {providers.host_sql('d.api_base')})",
        "model": "d.model",
        "operation": _operation(),
        **token_counts(
            "d.prompt_tokens",
            "d.completion_tokens",
            cache_read=(_usage("prompt_tokens_details.cached_tokens"), _usage("cache_read_input_tokens")),
            cache_write=_usage("cache_creation_input_tokens"),
            reasoning=_usage("completion_tokens_details.reasoning_tokens"),
        ),
        "latency_ms": _ms_between("d.startTime", "d.endTime"),
        "time_to_first_token_ms": _ms_between("d.startTime", "d.completionStartTime"),
        "status": "case when lower(d.status) = 'failure' then 'error' else coalesce(lower(d.status), 'success') end",
        "error_type": "json_extract_string(l_meta, '$.error_information.error_class')",
        "provider_cost_usd": "d.spend",
        "tags": "try_cast(l_tags as varchar[])",
        "metadata": "l_meta",
    }


ADAPTER = Adapter(
    name="litellm",
    record_type="usage",
    description="LiteLLM proxy spend-log rows or /spend/logs arrays (request_id, startTime, spend, prompt_tokens)",
    signature=Signature(all_of=("request_id", "spend")),
    structure=STRUCTURE,
    derived=_derived,
    mapping=_mapping,
    usage_hint="litellm reads prompt_tokens / completion_tokens",
)
