"""Helicone request exports (`npx @helicone/export`, `POST /v1/request/query-clickhouse`): one HeliconeRequest
per record, JSONL or a JSON array.

request_id -> event_id and message_id; request_created_at -> occurred_at; delay_ms (else response_created_at -
request_created_at) -> latency_ms; time_to_first_token (ms) -> time_to_first_token_ms; model = response_model,
else request_model, else model; provider = Helicone's provider as this product's names, else from target_url,
else from the model name; operation from request_path / target_url (/embeddings, /images, /audio/transcriptions,
/completions); response_status >= 400 -> error (`http_<status>`); cost (else costUSD), the gateway's figure ->
provider_cost_usd. Helicone prices prompt_tokens at the input rate and its prompt_cache_read_tokens /
prompt_cache_write_tokens at the cache rates, so prompt_tokens EXCLUDES them: input = prompt_tokens +
prompt_cache_read_tokens + prompt_cache_write_tokens, output = completion_tokens. Attribution: request_user_id,
else helicone_user -> user_id; the `Helicone-Session-Id` property -> conversation_id; no workspace of its own:
give --workspace or map a property (`properties.<name>`) with --attribution.
"""

from __future__ import annotations

from ingest.adapters import Adapter, MappingContext, Signature, providers, sql_literal, sum_tokens, token_counts

STRUCTURE: dict[str, object] = {
    "request_id": "VARCHAR",
    "request_created_at": "VARCHAR",
    "response_created_at": "VARCHAR",
    "response_status": "VARCHAR",
    "response_model": "VARCHAR",
    "request_model": "VARCHAR",
    "model": "VARCHAR",
    "provider": "VARCHAR",
    "request_path": "VARCHAR",
    "target_url": "VARCHAR",
    "request_user_id": "VARCHAR",
    "helicone_user": "VARCHAR",
    "request_properties": "JSON",
    "properties": "JSON",
    "delay_ms": "VARCHAR",
    "time_to_first_token": "VARCHAR",
    "prompt_tokens": "VARCHAR",
    "completion_tokens": "VARCHAR",
    "prompt_cache_read_tokens": "VARCHAR",
    "prompt_cache_write_tokens": "VARCHAR",
    "cost": "VARCHAR",
    "costUSD": "VARCHAR",
}

_PROPERTIES = "coalesce(d.request_properties, d.properties)"


def property_sql(name: str) -> str:
    return f"json_extract_string({_PROPERTIES}, {sql_literal('$.' + json_key(name))})"


def json_key(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lookup(name: str) -> str | None:
    fixed = {"request_user_id": "d.request_user_id", "helicone_user": "d.helicone_user", "provider": "d.provider"}
    if name in fixed:
        return fixed[name]
    prefix = next((p for p in ("properties.", "request_properties.") if name.startswith(p)), None)
    return property_sql(name[len(prefix) :]) if prefix else None


def _operation() -> str:
    path = "lower(coalesce(d.request_path, d.target_url, ''))"
    return (
        f"case when contains({path}, '/embeddings') then 'embeddings' "
        f"when contains({path}, '/images') then 'image_generation' "
        f"when contains({path}, '/audio/transcriptions') then 'audio_transcription' "
        f"when contains({path}, '/completions') and not contains({path}, '/chat/') then 'completion' end"
    )


def _mapping(context: MappingContext) -> dict[str, str]:
    status = "try_cast(d.response_status as double)"
    latency = (
        "coalesce(d.delay_ms, ((epoch_us(try_cast(d.response_created_at as timestamptz)) "
        "- epoch_us(try_cast(d.request_created_at as timestamptz))) / 1000.0)::varchar)"
    )
    model = "coalesce(d.response_model, d.request_model, d.model)"
    user = "coalesce(nullif(d.request_user_id, ''), nullif(d.helicone_user, ''))"
    return {
        "event_id": "d.request_id",
        "occurred_at": "d.request_created_at",
        "workspace_id": context.attribution.id_sql("workspace", "null::varchar", _lookup),
        "user_id": context.attribution.id_sql("user", user, _lookup),
        "conversation_id": property_sql("Helicone-Session-Id"),
        "message_id": "d.request_id",
        "provider": (
            f"coalesce({providers.name_sql('d.provider')}, {providers.host_sql('d.target_url')}, "
            f"{providers.model_sql(model)})"
        ),
        "model": model,
        "operation": _operation(),
        **token_counts(
            sum_tokens("d.prompt_tokens", "d.prompt_cache_read_tokens", "d.prompt_cache_write_tokens"),
            "d.completion_tokens",
            cache_read="d.prompt_cache_read_tokens",
            cache_write="d.prompt_cache_write_tokens",
        ),
        "latency_ms": latency,
        "time_to_first_token_ms": "d.time_to_first_token",
        "status": f"case when {status} >= 400 then 'error' else 'success' end",
        "error_type": f"case when {status} >= 400 then 'http_' || {status}::bigint::varchar end",
        "provider_cost_usd": "coalesce(d.cost, d.costUSD)",
    }


ADAPTER = Adapter(
    name="helicone",
    record_type="usage",
    description="Helicone request exports (HeliconeRequest: request_id, request_created_at, prompt_tokens, cost)",
    signature=Signature(
        all_of=("request_id", "request_created_at"),
        any_of=("prompt_tokens", "completion_tokens", "response_model", "request_model", "delay_ms"),
    ),
    structure=STRUCTURE,
    mapping=_mapping,
    usage_hint="helicone reads prompt_tokens / completion_tokens",
)
