"""Amazon Bedrock Converse API: envelope + the Converse response under `response` (`output`, `stopReason`,
`usage`, `metrics`); the response does not name the model, so the envelope's `model` (the model or inference
profile id called) is required.

Bedrock's TokenUsage is camelCase and, like Anthropic's, reports inputTokens WITHOUT the cache reads and writes
(totalTokens = inputTokens + outputTokens + cacheReadInputTokens + cacheWriteInputTokens), so the inclusive input
= inputTokens + cacheReadInputTokens + cacheWriteInputTokens; output = outputTokens; the 1-hour part of the cache
writes = the `cacheDetails` entries with ttl "1h". latency_ms = the envelope's, else metrics.latencyMs (measured
by Bedrock). finish_reason = stopReason. Provider: the envelope, else `bedrock`. (Claude's own body through
InvokeModel is an Anthropic Message: the anthropic adapter reads it.)
"""

from __future__ import annotations

from ingest.adapters import (
    Adapter,
    MappingContext,
    Signature,
    envelope_fields,
    envelope_structure,
    list_sum_tokens,
    sum_tokens,
    token_counts,
)

STRUCTURE = envelope_structure(
    {
        "stopReason": "VARCHAR",
        "usage": {
            "inputTokens": "VARCHAR",
            "outputTokens": "VARCHAR",
            "cacheReadInputTokens": "VARCHAR",
            "cacheWriteInputTokens": "VARCHAR",
            "cacheDetails": [{"ttl": "VARCHAR", "inputTokens": "VARCHAR"}],
        },
        "metrics": {"latencyMs": "VARCHAR"},
    }
)

_U = "d.response.usage"


def _mapping(context: MappingContext) -> dict[str, str]:
    hour = f"list_filter({_U}.cacheDetails, lambda x: x.ttl = '1h')"
    return {
        **envelope_fields(context),
        "provider": "coalesce(nullif(d.provider, ''), 'bedrock')",
        **token_counts(
            sum_tokens(f"{_U}.inputTokens", f"{_U}.cacheReadInputTokens", f"{_U}.cacheWriteInputTokens"),
            f"{_U}.outputTokens",
            cache_read=f"{_U}.cacheReadInputTokens",
            cache_write=f"{_U}.cacheWriteInputTokens",
            cache_write_1h=list_sum_tokens(hour, "inputTokens"),
        ),
        "latency_ms": "coalesce(d.latency_ms, d.response.metrics.latencyMs)",
        "finish_reason": "coalesce(d.finish_reason, d.response.stopReason)",
    }


ADAPTER = Adapter(
    name="bedrock_converse",
    record_type="usage",
    description="envelope + Amazon Bedrock Converse `response` (camelCase usage.inputTokens, excludes cache)",
    signature=Signature(all_of=("response.usage.inputTokens",)),
    structure=STRUCTURE,
    mapping=_mapping,
    usage_hint="bedrock_converse reads response.usage.inputTokens / outputTokens",
)
