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
