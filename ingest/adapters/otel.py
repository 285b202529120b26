"""OpenTelemetry GenAI spans exported as OTLP JSON (`{"resourceSpans": [{"resource": {"attributes": [...]},
"scopeSpans": [{"spans": [...]}]}]}`), one export request per line (JSONL) or one per `.json` file.

One record = one GenAI span: a span with a `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.system` or
`gen_ai.usage.input_tokens` attribute; other spans (HTTP, DB, ...) are not LLM calls and are not records.
Attribute values are read from stringValue / intValue / doubleValue / boolValue (first element of arrayValue
for lists). Span attributes win over resource attributes.

event_id = `synapscale.event.id` if set, else `<traceId>:<spanId>`; occurred_at = startTimeUnixNano;
latency_ms = (end − start) / 1e6; workspace_id = `synapscale.workspace.id`; user_id = `user.id`, else
`enduser.id`, else `synapscale.user.id`; provider = `gen_ai.provider.name`, else the older `gen_ai.system`
(az.ai.openai → azure, aws.bedrock → bedrock, gcp.* → google); model = `gen_ai.response.model`, else
`gen_ai.request.model`; operation = `gen_ai.operation.name`; conversation_id = `gen_ai.conversation.id`;
message_id = `gen_ai.response.id`; input/output = `gen_ai.usage.input_tokens` / `gen_ai.usage.output_tokens`
(inclusive by the semantic conventions); cache read / write = `gen_ai.usage.cache_read.input_tokens` /
`gen_ai.usage.cache_creation.input_tokens`; reasoning = `gen_ai.usage.reasoning.output_tokens`; status code 2
(ERROR) → error with `error.type`; finish_reason = first of `gen_ai.response.finish_reasons`;
is_streaming = `gen_ai.request.stream`... or absent. The raw record kept for quarantine is the span's JSON.
"""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter
from ingest.contract import USAGE

_ATTRS = (
    "map_from_entries(list_transform(coalesce(json_extract({src}, '$[*]'), []), lambda a: struct_pack("
    "k := a ->> 'key', v := coalesce(a -> 'value' ->> 'stringValue', a -> 'value' ->> 'intValue', "
    "a -> 'value' ->> 'doubleValue', a -> 'value' ->> 'boolValue', "
    "a -> 'value' -> 'arrayValue' -> 'values' -> 0 ->> 'stringValue'))))"
)


def _attr(key: str) -> str:
    return f"coalesce(attrs['{key}'], res_attrs['{key}'])"


_NULL_COLUMNS = ", ".join(f"null::varchar as {column}" for column in USAGE.columns)


def _sql(path: Path) -> str:
    nanos_to_text = (
        "coalesce(strftime(make_timestamp(try_cast(start_nanos as bigint) // 1000), "
        "'%Y-%m-%dT%H:%M:%S.%fZ'), "
        "start_nanos)"
    )
    provider = _attr("gen_ai.provider.name") + ", " + _attr("gen_ai.system")
    return f"""
with parsed as (
    select _line, _raw,
        case when starts_with(ltrim(_raw), '{{') and json_valid(_raw) then _raw::json end as doc
    from _src
),
resource_lists as (
    select _line, coalesce(json_extract(doc, '$.resourceSpans[*]'), []) as rs
    from parsed where doc is not null
),
resources as (select _line, unnest(rs) as r, generate_subscripts(rs, 1) as ri from resource_lists),
span_lists as (
    select _line, ri, json_extract(r, '$.resource.attributes') as res_json,
        coalesce(json_extract(r, '$.scopeSpans[*].spans[*]'), []) as sp
    from resources
),
spans as (select _line, ri, res_json, unnest(sp) as s, generate_subscripts(sp, 1) as si from span_lists),
flat as (
    select _line, _line * 1000000 + ri * 10000 + si as _rec, s::varchar as _raw,
        {_ATTRS.format(src="res_json")} as res_attrs,
        {_ATTRS.format(src="json_extract(s, '$.attributes')")} as attrs,
        s ->> 'traceId' as trace_id, s ->> 'spanId' as span_id,
        s ->> 'startTimeUnixNano' as start_nanos, s ->> 'endTimeUnixNano' as end_nanos,
        s -> 'status' ->> 'code' as status_code
    from spans
),
genai as (
    select * from flat
    where attrs['gen_ai.operation.name'] is not null or attrs['gen_ai.provider.name'] is not null
        or attrs['gen_ai.system'] is not null or attrs['gen_ai.usage.input_tokens'] is not null
)
select _line * 1000000 as _rec, _line, _raw, true as _unparseable, {_NULL_COLUMNS}
from parsed where doc is null
union all by name
select _rec, _line, _raw, false as _unparseable,
    coalesce({_attr("synapscale.event.id")}, trace_id || ':' || span_id) as event_id,
    {nanos_to_text} as occurred_at,
    {_attr("synapscale.workspace.id")} as workspace_id,
    coalesce({_attr("user.id")}, {_attr("enduser.id")}, {_attr("synapscale.user.id")}) as user_id,
    {_attr("gen_ai.conversation.id")} as conversation_id,
    {_attr("gen_ai.response.id")} as message_id,
    case coalesce({provider})
        when 'az.ai.openai' then 'azure' when 'azure.ai.openai' then 'azure' when 'aws.bedrock' then 'bedrock'
        when 'gcp.gemini' then 'google' when 'gcp.vertex_ai' then 'google' when 'gcp.gen_ai' then 'google'
        else coalesce({provider}) end as provider,
    coalesce({_attr("gen_ai.response.model")}, {_attr("gen_ai.request.model")}) as model,
    {_attr("gen_ai.operation.name")} as operation,
    {_attr("gen_ai.usage.input_tokens")} as input_tokens,
    {_attr("gen_ai.usage.output_tokens")} as output_tokens,
    coalesce({_attr("gen_ai.usage.cache_read.input_tokens")}, '0') as cache_read_input_tokens,
    coalesce({_attr("gen_ai.usage.cache_creation.input_tokens")}, '0') as cache_creation_input_tokens,
    coalesce({_attr("gen_ai.usage.reasoning.output_tokens")}, '0') as reasoning_output_tokens,
    (try_cast(end_nanos as bigint) - try_cast(start_nanos as bigint)) / 1e6 as latency_ms,
    null::double as time_to_first_token_ms,
    case when status_code in ('2', 'STATUS_CODE_ERROR') then 'error' else 'success' end as status,
    {_attr("error.type")} as error_type,
    {_attr("gen_ai.response.finish_reasons")} as finish_reason,
    {_attr("gen_ai.request.stream")} as is_streaming,
    null::varchar as provider_cost_usd,
    null::varchar[] as tags,
    null::json as metadata
from genai
"""


ADAPTER = Adapter(
    name="otel",
    record_type="usage",
    description="OpenTelemetry GenAI spans in OTLP JSON (gen_ai.* span attributes)",
    custom_sql=_sql,
)
