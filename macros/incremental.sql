{#-
    Marts rebuilt by whole slices (docs/marts/README.md, "Incremental by day slices").

    A slice is a DATE: the UTC day of the calls (usage_date), a workspace-local day (local_date), a month
    (usage_month, billing period). Every row of such a mart carries a lineage column, the latest ingested_at of
    the source rows behind it (last_ingested_at). Its maximum over the mart is the mart's watermark. A run:
      1. finds the slices touched by the source rows loaded strictly after the watermark (late rows too: their
         slice is the day they happened, whenever they arrive) - nothing new, no slice;
      2. recomputes those whole slices from the source (never part of a day);
      3. replaces them: DuckDB delete+insert keyed on the slice column, Spark insert_overwrite of the
         partitions (macros/cross_engine.sql, day_slice_config).
    So an incremental history equals a full refresh, row for row (tests/warehouse/test_marts_incremental.py).
    Sources that are rebuilt rather than appended (core.workspaces' timezone, core.message_feedbacks) add
    their own touched slices (see the models).

    In a model (sliced_source writes the CTEs touched_slices and usage):
        {{ config(materialized='incremental', **day_slice_config('usage_date')) }}
        with
        {{ sliced_source('usage', ref('usage_logs'), slices_of_new_calls()) }},
        daily as (...)
-#}

{#- The head of a sliced mart: the CTE touched_slices (`slices`: the SQL of its slice_date list; by default the
    slices `relation`, itself a sliced mart, rebuilt with newer lineage: slices_changed_in) and the CTE `name`,
    the rows of `relation` in those slices (all of them on a full build), and only those with `where` if given. -#}
{% macro sliced_source(name, relation, slices=none, slice_column='usage_date', where=none) -%}
touched_slices as (
    {{ slices if slices is not none else slices_changed_in(relation, slice_column, 'last_ingested_at') }}
),

{{ name }} as (
    select * from {{ relation }}
    where {{ in_touched_slices(slice_column) }}{{ ' and ' ~ where if where }}
)
{%- endmacro %}

{#- The UTC days (usage_date) of the calls (core.usage_logs) loaded after the mart's watermark: the slices of a mart
    built from calls. `contributes`: as in slices_loaded_after. -#}
{% macro slices_of_new_calls(contributes='true') -%}
    {{ slices_loaded_after(ref('usage_logs'), 'usage_date', 'ingested_at', 'last_ingested_at', contributes) }}
{%- endmacro %}

{#- The mart's watermark: the latest lineage timestamp it holds (before any real one when it is empty). -#}
{% macro slice_watermark(lineage_column) -%}
    (select coalesce(max({{ lineage_column }}), {{ timestamp_min() }}) from {{ this }})
{%- endmacro %}

{#- The slices (column slice_date) of the rows of `relation` loaded after the mart's watermark. On a full
    build: no slice (in_touched_slices is then true everywhere). A mart built from some of the source rows only
    (errors, unpriced calls, ...) passes the same condition as `contributes`: its watermark is the newest row it
    holds, so only rows it would hold may re-open a slice - else a load without such rows would re-open its
    days on every run. -#}
{% macro slices_loaded_after(relation, slice_expression, loaded_at_column, lineage_column, contributes='true') -%}
    {%- if is_incremental() -%}
        select distinct {{ slice_expression }} as slice_date
        from {{ relation }}
        where {{ loaded_at_column }} > {{ slice_watermark(lineage_column) }} and ({{ contributes }})
    {%- else -%}
        {{ no_slices() }}
    {%- endif -%}
{%- endmacro %}

{#- The same, for a mart whose slices come from another sliced mart: its rows whose lineage is newer. -#}
{% macro slices_changed_in(relation, slice_column, lineage_column) -%}
    {{ slices_loaded_after(relation, slice_column, lineage_column, lineage_column) }}
{%- endmacro %}

{#- An empty slice list, typed. -#}
{% macro no_slices() -%}
    select null::date as slice_date where false
{%- endmacro %}

{#- Filter on the source rows to recompute: the touched slices on an incremental run, every row on a full build.
    Needs a CTE named touched_slices (column slice_date). -#}
{% macro in_touched_slices(slice_expression) -%}
    {%- if is_incremental() -%}
        {{ slice_expression }} in (select touched.slice_date from touched_slices as touched)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The newest `column` (a timestamp) this incremental model holds, as a literal fixed when the model compiles
    (run_query), not a subquery: a literal filter lets the engine skip whole sources, e.g. each registered file's
    branch of raw.usage_events, whose ingested_at is a constant (ingest/raw_files.py). Before any real value on a
    full build or when the model is empty. -#}
{% macro loaded_watermark(column) -%}
    {%- if execute and is_incremental() -%}
        {{- return(queried_timestamp('select ' ~ as_text('max(' ~ column ~ ')') ~ ' from ' ~ this)) -}}
    {%- endif -%}
    {{- return(timestamp_min()) -}}
{%- endmacro %}

{#- The timestamp (as text) that `sql` returns, as a timestamptz literal: its one value, or before any real one
    when it returns no row or null. -#}
{% macro queried_timestamp(sql) -%}
    {%- set values = run_query(sql).columns[0].values() -%}
    {%- if values | length == 1 and values[0] is not none -%}
        {{- return("'" ~ values[0] ~ "'::" ~ type_timestamptz()) -}}
    {%- endif -%}
    {{- return(timestamp_min()) -}}
{%- endmacro %}

{#-
    Core entity tables rebuilt by key (docs/core.md, "Entity tables are rebuilt by key"): messages, conversations,
    conversation_llms, tags.

    Their values aggregate over all the calls (and feedback) of a key - first and last call, counts, cost - so a
    new call cannot be appended as it is: the key's row is recomputed. A run:
      1. finds the keys touched by the source rows loaded strictly after the table's watermarks (late rows
         included: a key is touched whenever its row arrives) - nothing new, no key;
      2. deletes the rows of those keys (pre-hook, delete_rebuilt_rows in macros/cross_engine.sql) - also the
         rows a full refresh would no longer have, e.g. a feedback-only message whose feedback moved elsewhere;
      3. recomputes those keys from ALL their source rows, not from the new slice alone, and appends them;
      4. records the newest ingested_at of each source it read (post-hook, record_source_watermarks).
    So an incremental history equals a full refresh, row for row (tests/warehouse/test_marts_incremental.py).
    The contract columns carry no lineage, so the watermarks live beside the table (rebuild_state): one row
    per (table, source). No row (first build, lost state): every key is touched, i.e. the table is rebuilt whole.
    Exact because no load commits while dbt runs (as for core.usage_logs' watermark). Spark rebuilds these
    tables whole (macros/cross_engine.sql, rebuilt_by_key_config).

    In a model:
        {{ config(**rebuilt_by_key_config('message_id', 'rebuilt_messages', ['usage_logs'])) }}
        ... from {{ ref('usage_logs') }} where {{ in_rebuilt_keys('message_id', rebuilt_messages()) }}
-#}

{#- Where the watermarks of the tables rebuilt by key are kept (schema, table): outside schema core, whose tables
    are the documented contract. -#}
{% macro rebuild_state() -%}
    {{ return(('dbt_state', 'rebuilt_by_key_watermarks')) }}
{%- endmacro %}

{#- The newest ingested_at of `source` (a model name) this table has read, as a literal fixed when the model
    compiles (as loaded_watermark); before any real one on a full build or when nothing is recorded. -#}
{% macro source_watermark(source) -%}
    {%- if execute and is_incremental() -%}
        {%- set schema, identifier = rebuild_state() -%}
        {%- set state = adapter.get_relation(database=this.database, schema=schema, identifier=identifier) -%}
        {%- if state is not none -%}
            {%- set sql = 'select ' ~ as_text('max(watermark)') ~ ' from ' ~ state
                ~ " where model_name = '" ~ this.identifier ~ "' and source_name = '" ~ source ~ "'" -%}
            {{- return(queried_timestamp(sql)) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(timestamp_min()) -}}
{%- endmacro %}

{#- Filter on the source rows to recompute: those of the keys `rebuilt` (SQL of a one-column key list) on an
    incremental run, every row on a full build. -#}
{% macro in_rebuilt_keys(key, rebuilt) -%}
    {%- if is_incremental() -%}
        {{ key }} in ({{ rebuilt }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: record the newest ingested_at of each of `sources` (model names) as this table's watermarks. -#}
{% macro record_source_watermarks(sources) -%}
    {%- set schema, identifier = rebuild_state() -%}
    {%- set state = schema ~ '.' ~ identifier -%}
    create schema if not exists {{ schema }};
    create table if not exists {{ state }} (
        model_name {{ type_varchar() }}, source_name {{ type_varchar() }}, watermark {{ type_timestamptz() }}
    );
    delete from {{ state }} where model_name = '{{ this.identifier }}';
    insert into {{ state }}
    {% for source in sources -%}
        select '{{ this.identifier }}', '{{ source }}', max(ingested_at) from {{ ref(source) }}
        {{ 'union all' if not loop.last }}
    {% endfor %}
{%- endmacro %}
