{#- Rules shared by the entity models (users, workspaces). -#}

{#- True on the one row kept per `key` among snapshots: the latest ingested_at wins, then the later load and
    line. For `qualify`. -#}
{% macro is_latest_snapshot(key) -%}
    row_number() over (partition by {{ key }} order by ingested_at desc, load_id desc, source_line desc) = 1
{%- endmacro %}

{#- The latest snapshot of each `key` among the staged snapshots `snapshots` (is_latest_snapshot). -#}
{% macro latest_snapshots(snapshots, key) -%}
    select * from {{ snapshots }}
    qualify {{ is_latest_snapshot(key) }}
{%- endmacro %}

{#- Activity of each `key` (user_id, workspace_id) in the calls `calls`: first call, latest call, calls. -#}
{% macro call_activity(calls, key) -%}
    select
        {{ key }},
        min(occurred_at) as first_call_at,
        max(occurred_at) as last_call_at,
        count(*) as calls
    from {{ calls }}
    group by {{ key }}
{%- endmacro %}

{#- The columns of call_activity in an entity's final select, typed, from `activity` (left-joined: an entity
    without calls has no first or latest call and 0 calls). -#}
{% macro call_activity_columns(activity) -%}
    {{ activity }}.first_call_at::{{ type_timestamptz() }} as first_call_at,
    {{ activity }}.last_call_at::{{ type_timestamptz() }} as last_call_at,
    coalesce({{ activity }}.calls, 0)::bigint as calls
{%- endmacro %}

{#- The keys of the tables rebuilt by key (macros/incremental.sql) that this run touches: those of the rows loaded
    after the table's watermark of its sources, or after `after` (a timestamp literal) when a test asks which rows
    a run rebuilt (macros/tests/tested_slice.sql). -#}

{#- ref(name) in a model; in a test, the model's relation from the graph: dbt lets a test ref only the models it
    depends on. (`model` is always defined in dbt; sqlfluff's templater has none.) -#}
{% macro built_relation(name) -%}
    {%- if model is not defined or model.resource_type != 'test' -%}{{ return(ref(name)) }}{%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error("built_relation: no model named '" ~ name ~ "'") -%}
{%- endmacro %}

{#- The calls (core.usage_logs) loaded after this table's watermark of them. -#}
{% macro new_calls(after=none) -%}
    select * from {{ built_relation('usage_logs') }}
    where ingested_at > {{ after or source_watermark('usage_logs') }}
{%- endmacro %}

{#- `key` (message_id, conversation_id, event_id) of the new calls. -#}
{% macro keys_of_new_calls(key, after=none) -%}
    select {{ key }} from ({{ new_calls(after) }}) as new_calls
    where {{ key }} is not null
{%- endmacro %}

{#- The messages of every version of a feedback with a version loaded after the table's watermark: the message
    it is about now, and any it was about before (its row may have to go). -#}
{% macro messages_of_new_feedback(after=none) -%}
    select message_id from {{ built_relation('stg_raw__feedback_events') }}
    where feedback_id in (
        select feedback_id from {{ built_relation('stg_raw__feedback_events') }}
        where ingested_at > {{ after or source_watermark('stg_raw__feedback_events') }}
    )
{%- endmacro %}

{#- Messages touched by new calls or new feedback (core.messages, the message tags of core.tags). -#}
{% macro rebuilt_messages(after=none) -%}
    {{ keys_of_new_calls('message_id', after) }}
    union
    {{ messages_of_new_feedback(after) }}
{%- endmacro %}

{% macro rebuilt_conversations(after=none) -%}
    {{ keys_of_new_calls('conversation_id', after) }}
{%- endmacro %}

{#- The entities of core.tags (entity_type || ':' || entity_id) touched: the new calls and the touched messages. -#}
{% macro rebuilt_tag_entities(after=none) -%}
    select 'usage_log:' || event_id from ({{ keys_of_new_calls('event_id', after) }}) as new_calls
    union all
    select 'message:' || message_id from ({{ rebuilt_messages(after) }}) as touched_messages
{%- endmacro %}
