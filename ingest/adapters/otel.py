"""OpenTelemetry GenAI spans exported as OTLP JSON (`{"resourceSpans": [{"resource": {"attributes": [...]},
"scopeSpans": [{"spans": [...]}]}]}`), one export request per line (JSONL), per `.json` file, or per element of a
JSON array.

One record = one GenAI span: a span with a `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.system` or
token-count attribute; other spans (HTTP, DB, ...) are not LLM calls and are not records. Attribute values are
read from stringValue / intValue / doubleValue / boolValue (first element of arrayValue for lists). Span attributes
win over resource attributes.

Token counts, current name first, then the names older or other instrumentations still emit (inclusive by the
semantic conventions): input = gen_ai.usage.input_tokens | gen_ai.usage.prompt_tokens; output =
gen_ai.usage.output_tokens | gen_ai.usage.completion_tokens; cache read = gen_ai.usage.cache_read.input_tokens |
gen_ai.usage.cache_read_input_tokens; cache write = gen_ai.usage.cache_creation.input_tokens |
gen_ai.usage.cache_creation_input_tokens; reasoning = gen_ai.usage.reasoning.output_tokens |
gen_ai.usage.reasoning_tokens. A span without any is no_token_counts (unless it failed: NULL counts).

event_id = `synapscale.event.id`, else `<traceId>:<spanId>`; occurred_at = startTimeUnixNano; latency_ms =
(end - start) / 1e6; workspace_id / user_id after attribution (native: `synapscale.workspace.id`; `user.id`, else
`enduser.id`, else `synapscale.user.id`, and after the defaults the resource's `service.name` as the calling
user; any span or resource attribute can be used by an attribution rule);
conversation_id = `gen_ai.conversation.id`, else `session.id`; provider = `gen_ai.provider.name`, else the older
`gen_ai.system`, as this product's provider names (providers.NAMES: `OpenAI` -> openai, `az.ai.openai` -> azure,
`aws.bedrock` -> bedrock, `gcp.vertex_ai` -> google, ...), else from `server.address`; model =
`gen_ai.response.model`, else `gen_ai.request.model`; operation = `gen_ai.operation.name` (text_completion ->
completion, generate_content -> chat); message_id = `gen_ai.response.id`; status code 2 (ERROR) -> error with
`error.type`; finish_reason = first of `gen_ai.response.finish_reasons`. The quarantined raw record is the span.
"""

from __future__ import annotations

from ingest.adapters import Adapter, MappingContext, Signature, providers, sql_literal
from ingest.contract import USAGE

_ATTRS = (
    "map_from_entries(list_transform(coalesce(json_extract({src}, '$[*]'), []), lambda a: struct_pack("
    "k := a ->> 'key', v := coalesce(a -> 'value' ->> 'stringValue', a -> 'value' ->> 'intValue', "
    "a -> 'value' ->> 'doubleValue', a -> 'value' ->> 'boolValue', "
    "a -> 'value' -> 'arrayValue' -> 'values' -> 0 ->> 'stringValue'))))"
)

# contract column -> attribute names, current first
TOKENS = {
    "input_tokens": ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    "output_tokens": ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
    "cache_read_input_tokens": ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"),
    "cache_creation_input_tokens": (
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_creation_input_tokens",
    ),
    "reasoning_output_tokens": ("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens"),
}
GENAI_MARKERS = ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", *TOKENS["input_tokens"])


def attr(key: str) -> str:
    """SQL for a span attribute, else the resource attribute of that name."""
    return f"coalesce(attrs[{sql_literal(key)}], res_attrs[{sql_literal(key)}])"


def _first(*keys: str) -> str:
    return "coalesce(" + ", ".join(attr(key) for key in keys) + ")"


_NULL_COLUMNS = ", ".join(f"null::varchar as {column}" for column in USAGE.columns)

_SPANS = f"""
with parsed as (
    select _line, coalesce(_item, 0) as _item, _raw,
        case when starts_with(ltrim(_raw), '{{') and json_valid(_raw) then _raw::json end as doc
    from _src
),
resource_lists as (
    select _line, _item, coalesce(json_extract(doc, '$.resourceSpans[*]'), []) as rs
    from parsed where doc is not null
),
resources as (select _line, _item, unnest(rs) as r, generate_subscripts(rs, 1) as ri from resource_lists),
span_lists as (
    select _line, _item, ri, json_extract(r, '$.resource.attributes') as res_json,
        coalesce(json_extract(r, '$.scopeSpans[*].spans[*]'), []) as sp
    from resources
),
spans as (select _line, _item, ri, res_json, unnest(sp) as s, generate_subscripts(sp, 1) as si from span_lists),
flat as (
    select _line, (_line::hugeint * 1000000000 + _item) * 100000000 + ri * 10000 + si as _rec, s::varchar as _raw,
        {_ATTRS.format(src="res_json")} as res_attrs,
        {_ATTRS.format(src="json_extract(s, '$.attributes')")} as attrs,
        s ->> 'traceId' as trace_id, s ->> 'spanId' as span_id,
        s ->> 'startTimeUnixNano' as start_nanos, s ->> 'endTimeUnixNano' as end_nanos,
        s -> 'status' ->> 'code' as status_code
    from spans
),
genai as (
    select * from flat where {" or ".join(f"attrs[{sql_literal(key)}] is not null" for key in GENAI_MARKERS)}
)
"""


def _ids(context: MappingContext) -> str:
    attribution = context.attribution
    workspace = attribution.id_sql("workspace", attr("synapscale.workspace.id"), attr)
    user = attribution.id_sql("user", _first("user.id", "enduser.id", "synapscale.user.id"), attr, attr("service.name"))
    return f"{workspace} as workspace_id, {user} as user_id"


def _sql(context: MappingContext) -> str:
    nanos_to_text = (
        "coalesce(strftime(make_timestamp(try_cast(start_nanos as bigint) // 1000), "
        "'%Y-%m-%dT%H:%M:%S.%fZ'), start_nanos)"
    )
    named = providers.name_sql(_first("gen_ai.provider.name", "gen_ai.system"))
    provider = f"coalesce({named}, {providers.host_sql(attr('server.address'))})"
    operation = attr("gen_ai.operation.name")
    tokens = ",\n    ".join(
        f"{_first(*keys)} as {column}"
        if column in ("input_tokens", "output_tokens")
        else f"coalesce({_first(*keys)}, '0') as {column}"
        for column, keys in TOKENS.items()
    )
    return f"""{_SPANS}
select _line::hugeint * 100000000000000000 as _rec, _line, _raw, true as _unparseable, {_NULL_COLUMNS}
from parsed where doc is null
union all by name
select _rec, _line, _raw, false as _unparseable,
    coalesce({attr("synapscale.event.id")}, trace_id || ':' || span_id) as event_id,
    {nanos_to_text} as occurred_at,
    {_ids(context)},
    {_first("gen_ai.conversation.id", "session.id")} as conversation_id,
    {attr("gen_ai.response.id")} as message_id,
    {provider} as provider,
    {_first("gen_ai.response.model", "gen_ai.request.model")} as model,
    case {operation} when 'text_completion' then 'completion' when 'generate_content' then 'chat'
        else {operation} end as operation,
    {tokens},
    '0' as cache_creation_1h_input_tokens,
    (try_cast(end_nanos as bigint) - try_cast(start_nanos as bigint)) / 1e6 as latency_ms,
    null::double as time_to_first_token_ms,
    case when status_code in ('2', 'STATUS_CODE_ERROR') then 'error' else 'success' end as status,
    {attr("error.type")} as error_type,
    {attr("gen_ai.response.finish_reasons")} as finish_reason,
    {attr("gen_ai.request.stream")} as is_streaming,
    null::varchar as provider_cost_usd,
    null::varchar[] as tags,
    null::json as metadata
from genai
"""


ADAPTER = Adapter(
    name="otel",
    record_type="usage",
    description="OpenTelemetry GenAI spans in OTLP JSON (gen_ai.* span attributes, current and legacy names)",
    signature=Signature(all_of=("resourceSpans",)),
    custom_sql=_sql,
    usage_hint="otel reads the span attributes gen_ai.usage.input_tokens / output_tokens (or prompt_tokens / "
    "completion_tokens)",
)
