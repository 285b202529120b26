{#-
    The data tests of an incremental pipeline run check only the rows that run wrote (docs/operations.md,
    "Tests of the new rows only").

    dbt wraps the model a generic test reads in get_where_subquery (that is where a test's `where` config goes).
    This project's version also narrows it to the model's new rows when the pipeline sets
    SYNAPSCALE_TESTED_THROUGH: the newest ingested_at of the raw data the last clean, fully tested build saw
    (synapscale/pipeline/state.py sets it only when that build is the last invocation and the project is the same).
    Every row of the model loaded through that stamp has passed these very tests then and was not rewritten since.

    Which rows are new, from the model's meta.tested_slice:
      {loaded_at: column}            rows appended with column > T (core.usage_logs, stg_raw__usage_events);
      {key: column, rebuilt: macro}  rows whose key the run rebuilt: the keys macro (macros/entities.sql) of the
                                     rows loaded after T (rebuilt_by_key_config sets it).
    A model without it (the day-sliced marts, billing_events, the small tables) is tested whole.

    A uniqueness test checks every row sharing a value with the new rows, so a new row colliding with an old
    one still fails; every other test (not_null, accepted_values, relationships from the model, expressions)
    checks the new rows. Only on DuckDB (the Spark target tests everything), and never on a plain `dbt test`.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set sliced = tested_slice(relation) -%}
    {%- if sliced -%}{%- do conditions.append(sliced) -%}{%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' as tested where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The condition on the alias `tested` that keeps the rows this test has to check, or '' for all of them. -#}
{% macro tested_slice(relation) -%}
    {%- if not execute or target.type != 'duckdb' or model.resource_type != 'test' -%}{{ return('') }}{%- endif -%}
    {%- set through = env_var('SYNAPSCALE_TESTED_THROUGH', '') -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if not through or tested is none or tested.alias != relation.identifier -%}{{ return('') }}{%- endif -%}
    {%- set rule = (tested.config.meta or {}).get('tested_slice') -%}
    {%- if not rule -%}{{ return('') }}{%- endif -%}
    {%- set after = "'" ~ through ~ "'::" ~ type_timestamptz() -%}
    {%- if rule.loaded_at -%}
        {%- set new_rows = rule.loaded_at ~ ' > ' ~ after -%}
    {%- else -%}
        {%- set keys = {
            'rebuilt_messages': rebuilt_messages,
            'rebuilt_conversations': rebuilt_conversations,
            'rebuilt_tag_entities': rebuilt_tag_entities,
        } -%}
        {%- if rule.rebuilt not in keys -%}
            {%- do exceptions.raise_compiler_error("tested_slice of " ~ tested.name ~ ": no keys macro '" ~ rule.rebuilt ~ "'") -%}
        {%- endif -%}
        {%- set new_rows = '(' ~ rule.key ~ ') in (' ~ keys[rule.rebuilt](after) ~ ')' -%}
    {%- endif -%}
    {%- set test = model.test_metadata.name if model.test_metadata else '' -%}
    {%- set kwargs = model.test_metadata.kwargs if model.test_metadata else {} -%}
    {%- if test == 'unique' -%}
        {%- set column = kwargs.column_name -%}
        {{ return(column ~ ' in (select ' ~ column ~ ' from ' ~ relation ~ ' as fresh where ' ~ new_rows ~ ')') }}
    {%- elif test == 'unique_combination_of_columns' -%}
        {%- set same = [] -%}
        {%- for column in kwargs.combination_of_columns -%}
            {%- do same.append('sliced.' ~ column ~ ' is not distinct from tested.' ~ column) -%}
        {%- endfor -%}
        {{ return('exists (select 1 from (select * from ' ~ relation ~ ' as fresh where ' ~ new_rows ~ ') as sliced where '
            ~ same | join(' and ') ~ ')') }}
    {%- else -%}
        {{ return(new_rows) }}
    {%- endif -%}
{%- endmacro %}
