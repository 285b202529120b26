"""OpenAI usage in the input/output convention: the Responses API (`object: "response"`, or a stream's final
`response.completed` / `response.incomplete` / `response.failed` event, which holds the response under its own
`response`), and the Images and Audio transcription APIs, all under the envelope's `response`.

Counts are inclusive: input = usage.input_tokens (cached included), output = usage.output_tokens (reasoning
included); cache read = input_tokens_details.cached_tokens (transcriptions and Realtime: input_token_details), cache
write = input_tokens_details.cache_write_tokens, reasoning = output_tokens_details.reasoning_tokens. A record
without one of these markers (`object: "response"`, a `response.*` event type, `input_tokens_details`,
`input_token_details`, `usage.type`; not output_tokens_details, which Anthropic reports too) is not of this shape
(an Anthropic Messages usage has the same input_tokens/output_tokens names with another meaning): its counts are not
read, so it is quarantined as no_token_counts. A transcription billed by duration (`usage.type: "duration"`) has no
token counts either. Operation: response -> chat, `data` (images) -> image_generation, `text` / usage.type ->
audio_transcription. Status `failed` -> error with error.code; finish_reason = incomplete_details.reason, else the
status. Provider: the envelope, OpenRouter's usage.cost, the envelope's `base_url`, the model name, `openai`.
"""

from __future__ import annotations

from ingest.adapters import (
    Adapter,
    MappingContext,
    Signature,
    envelope_fields,
    envelope_structure,
    providers,
    token_counts,
)

USAGE = {
    "input_tokens": "VARCHAR",
    "output_tokens": "VARCHAR",
    "type": "VARCHAR",
    "input_tokens_details": {"cached_tokens": "VARCHAR", "cache_write_tokens": "VARCHAR"},
    "input_token_details": {"cached_tokens": "VARCHAR"},
    "output_tokens_details": {"reasoning_tokens": "VARCHAR"},
    "cost": "VARCHAR",
}

RESPONSE = {
    "id": "VARCHAR",
    "object": "VARCHAR",
    "model": "VARCHAR",
    "status": "VARCHAR",
    "error": {"code": "VARCHAR"},
    "incomplete_details": {"reason": "VARCHAR"},
    "usage": USAGE,
}

STRUCTURE = envelope_structure({**RESPONSE, "type": "VARCHAR", "data": "JSON", "text": "JSON", "response": RESPONSE})

_OUTER = "d.response"
_INNER = "d.response.response"


def _derived(context: MappingContext) -> dict[str, str]:
    """The response object itself: the event's `response` for a stream event, else the envelope's `response`."""
    event = f"starts_with({_OUTER}.type, 'response.') and {_INNER} is not null"
    picked = {name: f"case when {event} then {_INNER}.{name} else {_OUTER}.{name} end" for name in RESPONSE}
    usage = picked["usage"]
    marked = (
        f"({_OUTER}.object = 'response' or starts_with({_OUTER}.type, 'response.') "
        f"or {usage}.input_tokens_details is not null or {usage}.input_token_details is not null "
        f"or {usage}.type is not null)"
    )
    return {**{f"r_{name}": expr for name, expr in picked.items()}, "r_marked": marked}


def _mapping(context: MappingContext) -> dict[str, str]:
    def count(expr: str) -> str:
        return f"case when r_marked then {expr} end"

    return {
        **envelope_fields(context, "r_id"),
        "provider": (
            "coalesce(nullif(d.provider, ''), case when r_usage.cost is not null then 'openrouter' end, "
            f"{providers.host_sql('d.base_url')}, {providers.model_sql('coalesce(r_model, d.model)')}, 'openai')"
        ),
        "model": "coalesce(d.model, r_model)",
        "operation": (
            f"coalesce(d.operation, case when r_object = 'response' then 'chat' "
            f"when {_OUTER}.data is not null then 'image_generation' "
            f"when {_OUTER}.text is not null or r_usage.type is not null then 'audio_transcription' end)"
        ),
        **token_counts(
            count("r_usage.input_tokens"),
            count("r_usage.output_tokens"),
            cache_read=("r_usage.input_tokens_details.cached_tokens", "r_usage.input_token_details.cached_tokens"),
            cache_write="r_usage.input_tokens_details.cache_write_tokens",
            reasoning="r_usage.output_tokens_details.reasoning_tokens",
        ),
        "status": "coalesce(d.status, case when r_status = 'failed' then 'error' end)",
        "error_type": "coalesce(d.error_type, r_error.code)",
        "finish_reason": "coalesce(d.finish_reason, r_incomplete_details.reason, r_status)",
        "provider_cost_usd": "coalesce(d.provider_cost_usd, r_usage.cost)",
    }


ADAPTER = Adapter(
    name="openai_responses",
    record_type="usage",
    description="envelope + OpenAI Responses API object or response.* stream event, Images or Audio usage",
    signature=Signature(
        any_of=(
            "response.object=response",
            "response.type=response.completed",
            "response.type=response.incomplete",
            "response.type=response.failed",
            "response.usage.input_tokens_details",
            "response.usage.input_token_details",
            "response.usage.type",
        )
    ),
    structure=STRUCTURE,
    derived=_derived,
    mapping=_mapping,
    usage_hint=(
        "openai_responses reads response.usage.input_tokens / output_tokens of a Responses, Images or Audio "
        'usage (marked by object "response", a response.* event or *_tokens_details)'
    ),
)
