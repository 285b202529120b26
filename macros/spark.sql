{#-
    dbt-spark adapter fixes and the Spark raw layer (docs/spark.md). Nothing here renders on DuckDB.
-#}

{#- on-run-start: the raw sources as relations over the Parquet raw layer (synapscale/spark.py writes it from the
    DuckDB raw schema, one directory per raw table under $SYNAPSCALE_SPARK_WAREHOUSE/raw). Spark: an external
    (unmanaged) Parquet table per source table, its schema read from the files' footers; dropped and re-created
    every run (dropping an external table never deletes its files; a re-created one lists the directory afresh,
    new loads included). DuckDB reads schema raw of the build file directly: nothing to do. -#}
{% macro stage_raw_lake() %}{{ return(adapter.dispatch('stage_raw_lake', 'synapscale')()) }}{% endmacro %}
{% macro default__stage_raw_lake() %}{{ return('') }}{% endmacro %}
{% macro spark__stage_raw_lake() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set lake = env_var('SYNAPSCALE_SPARK_WAREHOUSE', 'warehouse/spark') ~ '/raw' -%}
    {%- set schemas = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.schema not in schemas -%}
            {%- do run_query('create database if not exists ' ~ node.schema) -%}
            {%- do schemas.append(node.schema) -%}
        {%- endif -%}
        {%- set relation = node.schema ~ '.' ~ node.identifier -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ lake ~ '/' ~ node.identifier ~ "'") -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#-
    Model contracts with one set of data_type values for both engines. dbt checks a contract by comparing the
    engine's types for the model's SQL with the engine's types for `select cast(null as <data_type>) ...` built
    from the yml (get_empty_schema_sql). The yml keeps DuckDB's spelling (varchar, timestamp with time zone,
    varchar[]); on Spark each data_type goes through cross_engine_type() first, so `cast(null as varchar)`
    (invalid on Spark) becomes `cast(null as string)`. On dbt-spark with Parquet tables the contract is a
    name-and-type check only: constraints (not_null, check) are applied to Delta tables only.
-#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set mapped = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = dict(column) -%}
        {%- if copy.get('data_type') -%}
            {%- do copy.update({'data_type': cross_engine_type(copy['data_type'])}) -%}
        {%- endif -%}
        {%- do mapped.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(mapped)) }}
{% endmacro %}

{#-
    dbt-spark seeds, fixed for the session method (overrides dbt-spark 1.11's spark__load_csv_rows and
    spark__create_csv_table; dbt's dispatch finds a root project's spark__ macro first).

    dbt-spark binds every CSV cell as a parameter and the session cursor pastes them into the SQL text with
    `sql % params` after SessionConnectionWrapper._fix_binding: a number becomes float(value) (0.000000123456789012
    as a double, then cast to decimal: digits lost), any other value f"'{value}'" (a NULL cell becomes the
    string 'None'; an apostrophe ends the literal: syntax error; a backslash is read as an escape).

    Here every non-NULL cell is rendered as an escaped Spark string literal cast to its column type - exactly
    the text of the CSV, so decimals keep every digit - and an empty cell (agate's None) as NULL. No bindings,
    so the session cursor never %-formats the statement. Column types given in the seeds' column_types in
    DuckDB spelling (varchar, timestamptz, decimal(20, 12)) are mapped with cross_engine_type(), so
    seeds/_seeds__properties.yml stays one file for both engines.
-#}

{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set type = spark_seed_column_type(agate_table, loop.index0, col_name, column_override) -%}
            {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set batch_size = get_batch_size() -%}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set types = [] -%}
  {%- for col_name in agate_table.column_names -%}
    {%- do types.append(spark_seed_column_type(agate_table, loop.index0, col_name, column_override)) -%}
  {%- endfor -%}

  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(batch_size) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          {%- if value is none -%}
            cast(null as {{ types[loop.index0] }})
          {%- else -%}
            cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }})
          {%- endif -%}
          {%- if not loop.last %}, {% endif -%}
        {%- endfor -%})
        {%- if not loop.last %},{% endif %}
      {% endfor -%}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}

  {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#- The column's Spark type: its column_types entry (DuckDB spelling, mapped) or dbt-spark's inferred type. -#}
{% macro spark_seed_column_type(agate_table, index, col_name, column_override) -%}
  {%- if col_name in column_override -%}
    {{ return(cross_engine_type(column_override[col_name])) }}
  {%- else -%}
    {{ return(adapter.convert_type(agate_table, index)) }}
  {%- endif -%}
{%- endmacro %}


{#- A cell as a Spark string literal. Text cells (columns in column_types) arrive as the CSV's text; cells of
    inferred columns arrive as Decimal/int/bool/date/datetime, whose str() Spark's cast parses exactly
    (Decimal('1E-7') included; a datetime's str() keeps its offset). -#}
{% macro spark_seed_literal(value) -%}
  {%- if value is sameas true -%}true
  {%- elif value is sameas false -%}false
  {%- else -%}'{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
