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
        {%- set newest = run_query('select ' ~ as_text('max(' ~ column ~ ')') ~ ' from ' ~ this).columns[0].values()[0] -%}
        {%- if newest is not none -%}
            {{- return("'" ~ newest ~ "'::" ~ type_timestamptz()) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(timestamp_min()) -}}
{%- endmacro %}
