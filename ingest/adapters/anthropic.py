"""Anthropic Messages API (and Claude on Bedrock InvokeModel or Vertex, which return the same body): envelope +
the Message under `response`.

Anthropic's `usage.input_tokens` EXCLUDES cache reads and cache writes, so the inclusive input = input_tokens +
cache_read_input_tokens + cache_creation_input_tokens (100 + 900 + 50 -> 1050); output = output_tokens (thinking
included: output_tokens_details.thinking_tokens is its reasoning part). Cache writes = cache_creation_input_tokens
(else the sum of its `cache_creation` split), of which cache_creation.ephemeral_1h_input_tokens were written with
the 1-hour TTL (-> cache_creation_1h_input_tokens). With `usage.iterations` (compaction, server-side tool loops,
advisor/fallback hops) the top level reports only the final message iteration and the call is billed for the sum
over all iterations, so every count is that sum. A record marked as OpenAI Responses usage (`object: "response"`,
a `response.*` event, `input_tokens_details`) is not read (its input_tokens is inclusive): no_token_counts.
Provider: the envelope; `msg_bdrk_` ids -> bedrock, `msg_vrtx_` ids -> google (Vertex AI); the envelope's
`base_url`; `anthropic`. finish_reason = stop_reason.
"""

from __future__ import annotations

from ingest.adapters import (
    Adapter,
    MappingContext,
    Signature,
    envelope_fields,
    envelope_structure,
    list_sum_tokens,
    providers,
    sum_present,
    sum_tokens,
    token_counts,
)

CACHE_CREATION = {"ephemeral_5m_input_tokens": "VARCHAR", "ephemeral_1h_input_tokens": "VARCHAR"}
COUNTS = {
    "input_tokens": "VARCHAR",
    "output_tokens": "VARCHAR",
    "cache_read_input_tokens": "VARCHAR",
    "cache_creation_input_tokens": "VARCHAR",
    "cache_creation": CACHE_CREATION,
}

STRUCTURE = envelope_structure(
    {
        "id": "VARCHAR",
        "type": "VARCHAR",
        "object": "VARCHAR",
        "model": "VARCHAR",
        "stop_reason": "VARCHAR",
        "usage": {
            **COUNTS,
            "output_tokens_details": {"thinking_tokens": "VARCHAR"},
            "input_tokens_details": "JSON",
            "iterations": [{"type": "VARCHAR", **COUNTS}],
        },
    }
)

_U = "d.response.usage"
_IT = f"{_U}.iterations"


def _derived(context: MappingContext) -> dict[str, str]:
    openai_marked = (
        "(d.response.object is not distinct from 'response' or coalesce(starts_with(d.response.type, 'response.'), "
        f"false) or {_U}.input_tokens_details is not null)"
    )
    created = f"{_U}.cache_creation"
    split = sum_present(f"{created}.ephemeral_5m_input_tokens", f"{created}.ephemeral_1h_input_tokens")
    writes = f"coalesce({_U}.cache_creation_input_tokens, {split})"
    return {
        "a_read": f"not {openai_marked}",
        "a_writes": writes,
        "a_iter_input": list_sum_tokens(_IT, "input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"),
        "a_iter_output": list_sum_tokens(_IT, "output_tokens"),
        "a_iter_reads": list_sum_tokens(_IT, "cache_read_input_tokens"),
        "a_iter_writes": list_sum_tokens(_IT, "cache_creation_input_tokens"),
        "a_iter_1h": list_sum_tokens(_IT, "cache_creation.ephemeral_1h_input_tokens"),
    }


def _mapping(context: MappingContext) -> dict[str, str]:
    top_input = sum_tokens(f"{_U}.input_tokens", f"{_U}.cache_read_input_tokens", "a_writes")
    provider = (
        "coalesce(nullif(d.provider, ''), case when starts_with(d.response.id, 'msg_bdrk_') then 'bedrock' "
        "when starts_with(d.response.id, 'msg_vrtx_') then 'google' end, "
        f"{providers.host_sql('d.base_url')}, 'anthropic')"
    )
    return {
        **envelope_fields(context, "d.response.id"),
        "provider": provider,
        "model": "coalesce(d.model, d.response.model)",
        **token_counts(
            f"case when a_read then coalesce(a_iter_input, {top_input}) end",
            f"case when a_read then coalesce(a_iter_output, {_U}.output_tokens) end",
            cache_read=("a_iter_reads", f"{_U}.cache_read_input_tokens"),
            cache_write=("a_iter_writes", "a_writes"),
            cache_write_1h=("a_iter_1h", f"{_U}.cache_creation.ephemeral_1h_input_tokens"),
            reasoning=f"{_U}.output_tokens_details.thinking_tokens",
        ),
        "finish_reason": "coalesce(d.finish_reason, d.response.stop_reason)",
    }


ADAPTER = Adapter(
    name="anthropic",
    record_type="usage",
    description="envelope + Anthropic Messages `response` (usage.input_tokens excludes cache reads/writes)",
    signature=Signature(
        all_of=("response.usage.input_tokens",),
        any_of=(
            "response.type=message",
            "response.stop_reason",
            "response.usage.cache_read_input_tokens",
            "response.usage.cache_creation_input_tokens",
            "response.usage.cache_creation",
            "response.usage.iterations",
        ),
    ),
    structure=STRUCTURE,
    derived=_derived,
    mapping=_mapping,
    usage_hint="anthropic reads response.usage.input_tokens / output_tokens of a Messages response",
)
