"""OpenAI Chat Completions and the APIs compatible with it (OpenRouter, DeepSeek, Groq, Mistral, Azure OpenAI,
xAI, Together, ...): an envelope (event_id, occurred_at, workspace_id, user_id, ...) with the provider's response
under `response`: a `chat.completion` (or the final `chat.completion.chunk` of a stream, which carries the usage),
a `text_completion`, or an embeddings `list`.

Counts are inclusive already: input = usage.prompt_tokens (cached included), output = usage.completion_tokens
(reasoning included); cache read = prompt_tokens_details.cached_tokens, else DeepSeek's prompt_cache_hit_tokens,
else Mistral's num_cached_tokens; cache write = prompt_tokens_details.cache_write_tokens (OpenRouter; part of
prompt_tokens); reasoning = completion_tokens_details.reasoning_tokens; OpenRouter's own usage.cost ->
provider_cost_usd. Provider, first that says: the envelope; the response's gateway fields (OpenRouter: usage.cost,
usage.is_byok, usage.cost_details or `provider`; Groq: x_groq; Azure: prompt_filter_results or
choices[].content_filter_results; DeepSeek: usage.prompt_cache_hit_tokens); the envelope's `base_url`; the model
name; `openai`. Operation from `object`: chat.completion(.chunk) -> chat, text_completion -> completion, a list of
`embedding` objects -> embeddings.
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
    "prompt_tokens": "VARCHAR",
    "completion_tokens": "VARCHAR",
    "prompt_tokens_details": {"cached_tokens": "VARCHAR", "cache_write_tokens": "VARCHAR"},
    "completion_tokens_details": {"reasoning_tokens": "VARCHAR"},
    "prompt_cache_hit_tokens": "VARCHAR",
    "num_cached_tokens": "VARCHAR",
    "cost": "VARCHAR",
    "is_byok": "VARCHAR",
    "cost_details": "JSON",
}

STRUCTURE = envelope_structure(
    {
        "id": "VARCHAR",
        "object": "VARCHAR",
        "model": "VARCHAR",
        "provider": "VARCHAR",
        "choices": [{"finish_reason": "VARCHAR", "content_filter_results": "JSON"}],
        "data": [{"object": "VARCHAR"}],
        "x_groq": "JSON",
        "prompt_filter_results": "JSON",
        "usage": USAGE,
    }
)

_R = "d.response"
_U = "d.response.usage"


def gateway_sql() -> str:
    """The gateway a chat-completion-shaped response came through, from its own fields; NULL when none says."""
    return (
        f"(case when {_U}.cost is not null or {_U}.is_byok is not null or {_U}.cost_details is not null "
        f"or {_R}.provider is not null then 'openrouter' "
        f"when {_R}.x_groq is not null then 'groq' "
        f"when {_R}.prompt_filter_results is not null or {_R}.choices[1].content_filter_results is not null "
        "then 'azure' "
        f"when {_U}.prompt_cache_hit_tokens is not null then 'deepseek' end)"
    )


def _mapping(context: MappingContext) -> dict[str, str]:
    return {
        **envelope_fields(context, f"{_R}.id"),
        "provider": (
            f"coalesce(nullif(d.provider, ''), {gateway_sql()}, {providers.host_sql('d.base_url')}, "
            f"{providers.model_sql(f'coalesce({_R}.model, d.model)')}, 'openai')"
        ),
        "model": f"coalesce(d.model, {_R}.model)",
        "operation": (
            f"coalesce(d.operation, case {_R}.object when 'chat.completion' then 'chat' "
            "when 'chat.completion.chunk' then 'chat' when 'text_completion' then 'completion' "
            f"when 'list' then case when {_R}.data[1].object = 'embedding' then 'embeddings' end end)"
        ),
        **token_counts(
            f"{_U}.prompt_tokens",
            f"{_U}.completion_tokens",
            cache_read=(
                f"{_U}.prompt_tokens_details.cached_tokens",
                f"{_U}.prompt_cache_hit_tokens",
                f"{_U}.num_cached_tokens",
            ),
            cache_write=f"{_U}.prompt_tokens_details.cache_write_tokens",
            reasoning=f"{_U}.completion_tokens_details.reasoning_tokens",
        ),
        "finish_reason": f"coalesce(d.finish_reason, {_R}.choices[1].finish_reason)",
        "provider_cost_usd": f"coalesce(d.provider_cost_usd, {_U}.cost)",
    }


ADAPTER = Adapter(
    name="openai",
    record_type="usage",
    description="envelope + OpenAI Chat Completions-compatible `response` (prompt_tokens/completion_tokens)",
    signature=Signature(any_of=("response.usage.prompt_tokens", "response.usage.completion_tokens")),
    structure=STRUCTURE,
    mapping=_mapping,
    usage_hint="openai reads response.usage.prompt_tokens / completion_tokens",
)
