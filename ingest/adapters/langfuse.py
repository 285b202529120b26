"""Langfuse observations, as its public API returns them (`GET /api/public/observations`, `/api/public/v2/
observations`: pages `{"data": [...], "meta": {...}}`, read element by element) or as exported: one record per
GENERATION or EMBEDDING observation; the other observation types (SPAN, EVENT, TOOL, AGENT, ...) are not LLM
calls and are not records.

Langfuse's `usageDetails` are EXCLUSIVE buckets whose sum is the total (`{"input": 10, "input_cached_tokens": 90,
"output": 5, "output_reasoning_tokens": 15, "total": 120}`), so input = the sum of its `input*` and `*cache*` keys
(cache reads and writes included), output = the sum of its `output*` keys, cache read = the keys naming
cache_read or cached, cache write = cache_creation or cache_write, reasoning = reasoning; without usageDetails,
usage.input / usage.output, else promptTokens / completionTokens. occurred_at = startTime; latency_ms and
time_to_first_token_ms from startTime, endTime and completionStartTime (microseconds), else latency and
timeToFirstToken (seconds); model = providedModelName, else model; provider = metadata.ls_provider, else from the
model name, else `unknown`; level ERROR -> error with statusMessage; provider_cost_usd = providedCostDetails.total
(a cost the caller reported; Langfuse's own inferred costDetails / totalCost go to metadata). Attribution: userId
-> user_id, sessionId -> conversation_id; no workspace of its own: give --workspace or map projectId,
environment, name or traceName with --attribution.
"""

from __future__ import annotations

from ingest.adapters import INT_PATTERN, Adapter, MappingContext, Signature, attribute_lookup, providers, token_counts

STRUCTURE: dict[str, object] = {
    "id": "VARCHAR",
    "traceId": "VARCHAR",
    "projectId": "VARCHAR",
    "type": "VARCHAR",
    "name": "VARCHAR",
    "traceName": "VARCHAR",
    "environment": "VARCHAR",
    "startTime": "VARCHAR",
    "endTime": "VARCHAR",
    "completionStartTime": "VARCHAR",
    "model": "VARCHAR",
    "providedModelName": "VARCHAR",
    "usageDetails": "JSON",
    "usage": {"input": "VARCHAR", "output": "VARCHAR"},
    "promptTokens": "VARCHAR",
    "completionTokens": "VARCHAR",
    "costDetails": "JSON",
    "providedCostDetails": "JSON",
    "totalCost": "VARCHAR",
    "calculatedTotalCost": "VARCHAR",
    "level": "VARCHAR",
    "statusMessage": "VARCHAR",
    "userId": "VARCHAR",
    "sessionId": "VARCHAR",
    "latency": "VARCHAR",
    "timeToFirstToken": "VARCHAR",
    "metadata": "JSON",
}

BUCKETS = {
    "f_input": "(starts_with(k, 'input') or contains(k, 'cache')) and not starts_with(k, 'output')",
    "f_output": "starts_with(k, 'output')",
    "f_read": "contains(k, 'cache_read') or contains(k, 'cached')",
    "f_write": "contains(k, 'cache_creation') or contains(k, 'cache_write')",
    "f_reasoning": "contains(k, 'reasoning')",
}


def _bucket_sum(condition: str) -> str:
    """SQL: the sum of the usageDetails values whose key matches, as text (a non-integer value stays text, so it
    is quarantined as wrong_type); NULL when no key matches."""
    keys = f"list_filter(json_keys(f_details), lambda k: {condition})"
    value = "(f_details ->> k)"
    return (
        f"(case when len(coalesce({keys}, [])) = 0 then null "
        f"when list_bool_and(list_transform({keys}, lambda k: regexp_matches({value}, '{INT_PATTERN}'))) "
        f"then list_sum(list_transform({keys}, lambda k: {value}::bigint))::varchar "
        f"else array_to_string(list_transform({keys}, lambda k: {value}), ' + ') end)"
    )


def _derived(context: MappingContext) -> dict[str, str]:
    return {"f_details": "case when json_type(d.usageDetails) = 'OBJECT' then d.usageDetails end"}


def _ms_between(start: str, end: str) -> str:
    return f"((epoch_us(try_cast({end} as timestamptz)) - epoch_us(try_cast({start} as timestamptz))) / 1000.0)"


ATTRIBUTES = {
    "userId": "d.userId",
    "sessionId": "d.sessionId",
    "projectId": "d.projectId",
    "environment": "d.environment",
    "name": "d.name",
    "traceName": "d.traceName",
}


def _mapping(context: MappingContext) -> dict[str, str]:
    sums = {name: _bucket_sum(condition) for name, condition in BUCKETS.items()}
    model = "coalesce(d.providedModelName, d.model)"
    provider = providers.name_sql("json_extract_string(d.metadata, '$.ls_provider')")
    lookup = attribute_lookup(ATTRIBUTES)
    metadata = (
        "json_object('langfuse_trace_id', d.traceId, 'langfuse_project_id', d.projectId, "
        "'langfuse_observation_name', d.name, 'langfuse_cost_usd', coalesce(d.totalCost, d.calculatedTotalCost, "
        "json_extract_string(d.costDetails, '$.total')))"
    )
    return {
        "event_id": "d.id",
        "occurred_at": "d.startTime",
        "workspace_id": context.attribution.id_sql("workspace", "null::varchar", lookup),
        "user_id": context.attribution.id_sql("user", "d.userId", lookup),
        "conversation_id": "d.sessionId",
        "message_id": "d.id",
        "provider": f"coalesce({provider}, {providers.model_sql(model)}, 'unknown')",
        "model": model,
        "operation": "case upper(d.type) when 'EMBEDDING' then 'embeddings' else 'chat' end",
        **token_counts(
            f"coalesce({sums['f_input']}, d.usage.input, d.promptTokens)",
            f"coalesce({sums['f_output']}, d.usage.output, d.completionTokens)",
            cache_read=sums["f_read"],
            cache_write=sums["f_write"],
            reasoning=sums["f_reasoning"],
        ),
        "latency_ms": f"coalesce({_ms_between('d.startTime', 'd.endTime')}, try_cast(d.latency as double) * 1000)",
        "time_to_first_token_ms": (
            f"coalesce({_ms_between('d.startTime', 'd.completionStartTime')}, "
            "try_cast(d.timeToFirstToken as double) * 1000)"
        ),
        "status": "case when upper(d.level) = 'ERROR' then 'error' else 'success' end",
        "error_type": "case when upper(d.level) = 'ERROR' then d.statusMessage end",
        "provider_cost_usd": "json_extract_string(d.providedCostDetails, '$.total')",
        "metadata": metadata,
    }


ADAPTER = Adapter(
    name="langfuse",
    record_type="usage",
    description="Langfuse observations (API pages or exports); GENERATION / EMBEDDING observations are the calls",
    signature=Signature(
        all_of=("traceId", "startTime", "type"),
        any_of=("usageDetails", "usage", "promptTokens", "providedModelName", "model"),
    ),
    structure=STRUCTURE,
    derived=_derived,
    record_filter="upper(d.type) in ('GENERATION', 'EMBEDDING')",
    mapping=_mapping,
    usage_hint="langfuse reads usageDetails (else usage.input / output, promptTokens / completionTokens)",
)
