{#-
    Engine-specific SQL, and only here (issue: Spark). Every macro has a DuckDB form that renders exactly the SQL
    the models had before (so DuckDB output is unchanged, byte for byte in target/compiled) and a Spark form
    that gives the same values. Dispatch namespace: synapscale (adapter.dispatch(name, 'synapscale')), so a
    project that installs this one can still override a form.

    Spark forms assume the spark target's settings (profiles.yml): spark.sql.session.timeZone = UTC and
    spark.sql.decimalOperations.allowPrecisionLoss = false. dbt-spark forces spark.sql.ansi.enabled = false.
-#}

{# ---------------------------------------------------------------------------------------------------------
   Types. Write casts as `expr::{{ type_timestamptz() }}`: DuckDB keeps its names, Spark gets its own.
   Types spelled the same on both engines need no macro: bigint, integer, double, boolean, date, decimal(p, s).
--------------------------------------------------------------------------------------------------------- #}

{% macro type_timestamptz() %}{{ return(adapter.dispatch('type_timestamptz', 'synapscale')()) }}{% endmacro %}
{% macro default__type_timestamptz() %}timestamptz{% endmacro %}
{#- Spark's TIMESTAMP is an instant (TIMESTAMP_LTZ), shown in the session time zone (UTC). -#}
{% macro spark__type_timestamptz() %}timestamp{% endmacro %}

{% macro type_varchar() %}{{ return(adapter.dispatch('type_varchar', 'synapscale')()) }}{% endmacro %}
{% macro default__type_varchar() %}varchar{% endmacro %}
{#- Spark has varchar(n) only (and casts to it pad/trim): string is DuckDB's varchar. -#}
{% macro spark__type_varchar() %}string{% endmacro %}

{#- `expr` cast to text in this engine's spelling (dates render 'YYYY-MM-DD' on both), e.g. for surrogate keys. -#}
{% macro as_text(expr) %}{{ expr }}::{{ type_varchar() }}{% endmacro %}

{% macro type_varchar_list() %}{{ return(adapter.dispatch('type_varchar_list', 'synapscale')()) }}{% endmacro %}
{% macro default__type_varchar_list() %}varchar[]{% endmacro %}
{% macro spark__type_varchar_list() %}array<string>{% endmacro %}

{% macro type_json() %}{{ return(adapter.dispatch('type_json', 'synapscale')()) }}{% endmacro %}
{% macro default__type_json() %}json{% endmacro %}
{#- JSON text. (Spark 4's VARIANT is not comparable or groupable; keep the text.) -#}
{% macro spark__type_json() %}string{% endmacro %}

{#- A DuckDB type name (as in ingest/contract.py, seeds' column_types, contracts' data_type) in this engine's
    spelling: used for Spark DDL of the raw layer and usable in yml (data_type: "{{ cross_engine_type('varchar') }}"). -#}
{% macro cross_engine_type(duckdb_type) %}{{ return(adapter.dispatch('cross_engine_type', 'synapscale')(duckdb_type)) }}{% endmacro %}
{% macro default__cross_engine_type(duckdb_type) %}{{ return(duckdb_type) }}{% endmacro %}
{% macro spark__cross_engine_type(duckdb_type) %}
    {%- set t = duckdb_type | trim | lower -%}
    {%- set simple = {
        'varchar': 'string', 'text': 'string', 'string': 'string', 'json': 'string',
        'timestamptz': 'timestamp', 'timestamp with time zone': 'timestamp', 'timestamp': 'timestamp',
        'varchar[]': 'array<string>', 'text[]': 'array<string>',
        'bigint': 'bigint', 'integer': 'int', 'int': 'int', 'double': 'double', 'boolean': 'boolean',
        'date': 'date', 'smallint': 'smallint', 'float': 'float',
    } -%}
    {%- if t in simple -%}
        {{ return(simple[t]) }}
    {%- elif t.startswith('decimal') or t.startswith('numeric') -%}
        {{ return(t | replace(' ', '')) }}
    {%- else -%}
        {%- do exceptions.raise_compiler_error("cross_engine_type: no Spark type for '" ~ duckdb_type ~ "'") -%}
    {%- endif -%}
{% endmacro %}


{# ---------------------------------------------------------------------------------------------------------
   Values and functions
--------------------------------------------------------------------------------------------------------- #}

{#- A timestamp before any real one, for "max(x) over nothing" defaults. Spark has no '-infinity': the cast
    gives NULL (ANSI off) and `ingested_at >= NULL` keeps no row - the first incremental run would load nothing. -#}
{% macro timestamp_min() %}{{ return(adapter.dispatch('timestamp_min', 'synapscale')()) }}{% endmacro %}
{% macro default__timestamp_min() %}'-infinity'::timestamptz{% endmacro %}
{% macro spark__timestamp_min() %}timestamp'0001-01-01 00:00:00'{% endmacro %}

{#- A timestamp after any real one, e.g. the open end of an interval used in a range join (a range join on two
    non-NULL bounds is an IEJoin in DuckDB; `end is null or ...` would be a nested loop). -#}
{% macro timestamp_max() %}{{ return(adapter.dispatch('timestamp_max', 'synapscale')()) }}{% endmacro %}
{% macro default__timestamp_max() %}'infinity'::timestamptz{% endmacro %}
{% macro spark__timestamp_max() %}timestamp'9999-12-31 23:59:59.999999'{% endmacro %}

{#- The elements of a list column as rows, in a select list (NULL or empty list: no row on both engines). -#}
{% macro unnest_list(list_expr) %}{{ return(adapter.dispatch('unnest_list', 'synapscale')(list_expr)) }}{% endmacro %}
{% macro default__unnest_list(list_expr) %}unnest({{ list_expr }}){% endmacro %}
{% macro spark__unnest_list(list_expr) %}explode({{ list_expr }}){% endmacro %}

{#- Round half to even (banker's rounding) to n decimal places. -#}
{% macro round_half_even(expr, places) %}{{ return(adapter.dispatch('round_half_even', 'synapscale')(expr, places)) }}{% endmacro %}
{% macro default__round_half_even(expr, places) %}round_even({{ expr }}, {{ places }}){% endmacro %}
{% macro spark__round_half_even(expr, places) %}bround({{ expr }}, {{ places }}){% endmacro %}

{#- Format a date/timestamp with a strftime pattern (DuckDB's). Spark gets the equivalent Java pattern; only the
    codes below are translated, anything else fails at compile time rather than formatting differently. -#}
{% macro format_datetime(expr, strftime_format) %}{{ return(adapter.dispatch('format_datetime', 'synapscale')(expr, strftime_format)) }}{% endmacro %}
{% macro default__format_datetime(expr, strftime_format) %}strftime({{ expr }}, '{{ strftime_format }}'){% endmacro %}
{% macro spark__format_datetime(expr, strftime_format) %}
    {%- set codes = {'%Y': 'yyyy', '%m': 'MM', '%d': 'dd', '%H': 'HH', '%M': 'mm', '%S': 'ss', '%%': '%'} -%}
    {%- set ns = namespace(out='', i=0) -%}
    {%- for _ in range(strftime_format | length) -%}
        {%- if ns.i < (strftime_format | length) -%}
            {%- set ch = strftime_format[ns.i] -%}
            {%- if ch == '%' -%}
                {%- set code = strftime_format[ns.i:ns.i + 2] -%}
                {%- if code not in codes -%}
                    {%- do exceptions.raise_compiler_error("format_datetime: no Spark form for " ~ code) -%}
                {%- endif -%}
                {%- set ns.out = ns.out ~ codes[code] -%}
                {%- set ns.i = ns.i + 2 -%}
            {%- elif ch.isalpha() or ch == "'" -%}
                {%- set ns.out = ns.out ~ "''" ~ ch ~ "''" if ch == "'" else ns.out ~ "'" ~ ch ~ "'" -%}
                {%- set ns.i = ns.i + 1 -%}
            {%- else -%}
                {%- set ns.out = ns.out ~ ch -%}
                {%- set ns.i = ns.i + 1 -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    date_format({{ expr }}, '{{ ns.out | replace("'", "\\'") }}')
{%- endmacro %}

{#- The UTC calendar date of an instant. DuckDB: via `at time zone` (independent of the session zone); Spark has
    no `at time zone`: a cast to date uses the session zone, which the spark target pins to UTC. -#}
{% macro utc_date(expr) %}{{ return(adapter.dispatch('utc_date', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__utc_date(expr) %}({{ expr }} at time zone 'UTC')::date{% endmacro %}
{% macro spark__utc_date(expr) %}cast({{ expr }} as date){% endmacro %}

{#- The UTC hour an instant falls in, as an instant. -#}
{% macro utc_hour(expr) %}{{ return(adapter.dispatch('utc_hour', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__utc_hour(expr) %}date_trunc('hour', {{ expr }} at time zone 'UTC') at time zone 'UTC'{% endmacro %}
{% macro spark__utc_hour(expr) %}date_trunc('HOUR', {{ expr }}){% endmacro %}

{#- An instant as text, DuckDB's TIMESTAMPTZ rendering in a UTC session: '2025-01-10 10:00:00+00' (fractional
    seconds only when non-zero, trailing zeros dropped). Used in surrogate keys, which must match across engines.
    Spark's cast gives the same text without the offset. -#}
{% macro timestamp_text(expr) %}{{ return(adapter.dispatch('timestamp_text', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__timestamp_text(expr) %}{{ expr }}::varchar{% endmacro %}
{% macro spark__timestamp_text(expr) %}concat(cast({{ expr }} as string), '+00'){% endmacro %}

{#- A DOUBLE as DECIMAL(38, scale), rounded as DuckDB does: x * 10^scale in double, half away from zero. Spark's
    cast rounds the double's shortest text instead (-0.0322875 is -0.03228749999... : DuckDB -0.032287, Spark's
    cast -0.032288); its round() on the scaled double agrees with DuckDB. -#}
{% macro double_to_decimal(expr, scale) %}{{ return(adapter.dispatch('double_to_decimal', 'synapscale')(expr, scale)) }}{% endmacro %}
{% macro default__double_to_decimal(expr, scale) %}({{ expr }})::decimal(38, {{ scale }}){% endmacro %}
{% macro spark__double_to_decimal(expr, scale) -%}
    cast(cast(round(cast({{ expr }} as double) * 1{{ '0' * scale }}, 0) as decimal(38, 0)) * 0.{{ '0' * (scale - 1) }}1 as decimal(38, {{ scale }}))
{%- endmacro %}

{#- A DECIMAL as plain text with all its scale digits ('0.250000000000000000'). Spark's cast uses Java's
    BigDecimal.toString: 0 becomes '0E-18' and 1e-7 '1E-7'. The Spark form is exact for |x| < 10^(38 - scale - 1). -#}
{% macro decimal_text(expr, scale) %}{{ return(adapter.dispatch('decimal_text', 'synapscale')(expr, scale)) }}{% endmacro %}
{% macro default__decimal_text(expr, scale) %}{{ expr }}::varchar{% endmacro %}
{% macro spark__decimal_text(expr, scale) -%}
    case when {{ expr }} is not null then concat(
        case when {{ expr }} < 0 then '-' else '' end,
        cast(cast(floor(abs({{ expr }})) as decimal(38, 0)) as string),
        '.',
        lpad(cast(cast((abs({{ expr }}) - floor(abs({{ expr }}))) * 1{{ '0' * scale }} as decimal(38, 0)) as string), {{ scale }}, '0')
    ) end
{%- endmacro %}

{#- regexp_replace with DuckDB's semantics: the FIRST match only unless all=true (DuckDB's 'g' flag).
    `pattern` and `replacement` are the regex and replacement as DuckDB sees them (write them in jinja strings:
    '\d' is fine, but jinja decodes '\b', '\1', '\n' as escapes, so write '\\b'). Spark forms:
      * the literal is escaped for Spark's parser (it reads '\d' as 'd': a pattern silently stops matching);
      * Spark's regexp_replace always replaces every match and its 4th argument is a start POSITION, not flags:
        first-match-only is '(?s)^(.*?)(?:pattern)' -> '$1replacement' (the leftmost match, as DuckDB).
    Only patterns valid in both RE2 (DuckDB) and java.util.regex (Spark): no backreferences, no lookaround. -#}
{% macro regex_replace(expr, pattern, replacement, all=false) %}{{ return(adapter.dispatch('regex_replace', 'synapscale')(expr, pattern, replacement, all)) }}{% endmacro %}
{% macro default__regex_replace(expr, pattern, replacement, all) -%}
    regexp_replace({{ expr }}, '{{ pattern | replace("'", "''") }}', '{{ replacement | replace("'", "''") }}'{% if all %}, 'g'{% endif %})
{%- endmacro %}
{% macro spark__regex_replace(expr, pattern, replacement, all) -%}
    {%- if '\\' in replacement or '$' in replacement -%}
        {%- do exceptions.raise_compiler_error("regex_replace: group references in the replacement have no common form") -%}
    {%- endif -%}
    {%- set spark_pattern = pattern if all else '(?s)^(.*?)(?:' ~ pattern ~ ')' -%}
    {%- set spark_replacement = replacement if all else '$1' ~ replacement -%}
    regexp_replace({{ expr }}, {{ spark_string_literal(spark_pattern) }}, {{ spark_string_literal(spark_replacement) }})
{%- endmacro %}

{#- A Spark SQL string literal for any text: Spark unescapes backslashes in literals (spark.sql.parser.
    escapedStringLiterals=false, the default), so '\' and "'" are escaped with a backslash. -#}
{% macro spark_string_literal(text) -%}
    '{{ text | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}

{# ---------------------------------------------------------------------------------------------------------
   Materialization settings
--------------------------------------------------------------------------------------------------------- #}

{#- For incremental models that only ever add rows whose unique_key is new (usage_logs, billing_events select
    new keys only). Append is exact for such models: DuckDB appends (a delete+insert would look every new key up
    in the whole table to delete nothing); Spark's Parquet tables have no delete or merge (Delta/Iceberg do).
    In config(): incremental_strategy=new_keys_incremental_strategy() -#}
{% macro new_keys_incremental_strategy() %}{{ return(adapter.dispatch('new_keys_incremental_strategy', 'synapscale')()) }}{% endmacro %}
{% macro default__new_keys_incremental_strategy() %}{{ return('append') }}{% endmacro %}
{% macro spark__new_keys_incremental_strategy() %}{{ return('append') }}{% endmacro %}


{# ---------------------------------------------------------------------------------------------------------
   Marts (docs/marts/)
--------------------------------------------------------------------------------------------------------- #}

{#- The calendar date of an instant in a named IANA zone (a column or a literal), DST included. -#}
{% macro local_date(expr, timezone) %}{{ return(adapter.dispatch('local_date', 'synapscale')(expr, timezone)) }}{% endmacro %}
{% macro default__local_date(expr, timezone) %}({{ expr }} at time zone {{ timezone }})::date{% endmacro %}
{#- Spark: the zone's wall-clock time of the instant, read as a UTC timestamp (session zone UTC), cast to date. -#}
{% macro spark__local_date(expr, timezone) %}cast(from_utc_timestamp({{ expr }}, {{ timezone }}) as date){% endmacro %}

{#- Continuous percentile, linear interpolation between the two nearest ranks (position (n - 1) x q), as
    polars' quantile(q, interpolation="linear") and numpy's default. NULLs are ignored. -#}
{% macro percentile_cont(expr, fraction) %}{{ return(adapter.dispatch('percentile_cont', 'synapscale')(expr, fraction)) }}{% endmacro %}
{% macro default__percentile_cont(expr, fraction) %}quantile_cont({{ expr }}, {{ fraction }}){% endmacro %}
{#- Spark: DuckDB's interpolation, operation for operation (Spark's percentile() rounds differently):
    rn = double(n - 1) x q, lo/hi the values at floor/ceil(rn), result lo + (hi - lo) x (rn - floor(rn)) in DOUBLE. -#}
{% macro spark__percentile_cont(expr, fraction) -%}
    {{ spark_interpolated_percentile('cast(' ~ expr ~ ' as double)', fraction, '@lo + (@hi - @lo) * @d') }}
{%- endmacro %}

{#- Several continuous percentiles of one expression as a list, in the order of `fractions` (read one with
    list_item(list, position)), each exactly as percentile_cont. DuckDB keeps one sorted state for all of them
    where separate quantile_cont aggregates keep one each: model_performance_daily at 10M events ran in 500 MB
    this way, and needed 800 MB with six. -#}
{% macro percentiles_cont(expr, fractions) %}{{ return(adapter.dispatch('percentiles_cont', 'synapscale')(expr, fractions)) }}{% endmacro %}
{% macro default__percentiles_cont(expr, fractions) %}quantile_cont({{ expr }}, [{{ fractions | join(', ') }}]){% endmacro %}
{% macro spark__percentiles_cont(expr, fractions) -%}
    array({% for fraction in fractions %}{{ spark__percentile_cont(expr, fraction) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- The item at `position` (from 1) of a list. -#}
{% macro list_item(list, position) %}{{ return(adapter.dispatch('list_item', 'synapscale')(list, position)) }}{% endmacro %}
{% macro default__list_item(list, position) %}({{ list }})[{{ position }}]{% endmacro %}
{% macro spark__list_item(list, position) %}element_at({{ list }}, {{ position }}){% endmacro %}

{#- The same for DECIMAL(38,18) money (a median spend): DuckDB interpolates the unscaled 128-bit integers,
    lo + trunc(double(hi - lo) x d), and the result stays DECIMAL(38,18). -#}
{% macro percentile_cont_money(expr, fraction) %}{{ return(adapter.dispatch('percentile_cont_money', 'synapscale')(expr, fraction)) }}{% endmacro %}
{% macro default__percentile_cont_money(expr, fraction) %}quantile_cont({{ expr }}, {{ fraction }}){% endmacro %}
{#- Spark: the same steps on decimal(38,0) unscaled values (exact while neighbouring ranks differ by less than 18
    USD, where DuckDB's 128-bit integer to double conversion rounds once); a double at or above 2^52 is already
    whole and is split in two 32-bit halves so no cast to bigint overflows. -#}
{% macro spark__percentile_cont_money(expr, fraction) -%}
    {%- set unscaled = "cast(replace(" ~ spark__decimal_text('(@hi - @lo)', 18) ~ ", '.', '') as decimal(38, 0))" -%}
    {%- set v = 'cast(' ~ unscaled ~ ' as double) * @d' -%}
    {%- set whole = 'case when abs(' ~ v ~ ') < 4503599627370496 then cast(cast(' ~ v ~ ' as bigint) as decimal(38, 0))'
        ~ ' else cast(floor(' ~ v ~ ' / 4294967296) as decimal(38, 0)) * 4294967296'
        ~ ' + cast(cast(' ~ v ~ ' - floor(' ~ v ~ ' / 4294967296) * 4294967296 as bigint) as decimal(38, 0)) end' -%}
    {{ spark_interpolated_percentile('cast(' ~ expr ~ ' as decimal(38, 18))', fraction,
        'cast(@lo + (' ~ whole ~ ') * 0.000000000000000001 as decimal(38, 18))') }}
{%- endmacro %}

{#- Spark: `interpolation` (SQL over @lo, @hi, @d) applied to the sorted non-NULL values of `expr`; lo when rn is whole. -#}
{% macro spark_interpolated_percentile(expr, fraction, interpolation) -%}
    {%- set rn = 'cast(size(a) - 1 as double) * cast(' ~ fraction ~ ' as double)' -%}
    {%- set lo = 'element_at(a, cast(floor(' ~ rn ~ ') as int) + 1)' -%}
    {%- set hi = 'element_at(a, cast(ceil(' ~ rn ~ ') as int) + 1)' -%}
    {%- set d = '(' ~ rn ~ ' - floor(' ~ rn ~ '))' -%}
    element_at(transform(array(array_sort(collect_list({{ expr }}))), a -> case
        when size(a) = 0 then null
        when floor({{ rn }}) = ceil({{ rn }}) then {{ lo }}
        else {{ interpolation | replace('@lo', lo) | replace('@hi', hi) | replace('@d', d) }}
    end), 1)
{%- endmacro %}

{#- First day of the ISO week (Monday) / of the month of a date, as a date. -#}
{% macro week_start(expr) %}{{ return(adapter.dispatch('week_start', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__week_start(expr) %}date_trunc('week', {{ expr }})::date{% endmacro %}
{% macro spark__week_start(expr) %}trunc({{ expr }}, 'WEEK'){% endmacro %}

{% macro month_start(expr) %}{{ return(adapter.dispatch('month_start', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__month_start(expr) %}date_trunc('month', {{ expr }})::date{% endmacro %}
{% macro spark__month_start(expr) %}trunc({{ expr }}, 'MM'){% endmacro %}

{#- A date plus n days (n may be negative), and the whole days from one date to another. -#}
{% macro add_days(expr, days) %}{{ return(adapter.dispatch('add_days', 'synapscale')(expr, days)) }}{% endmacro %}
{% macro default__add_days(expr, days) %}({{ expr }} + ({{ days }}))::date{% endmacro %}
{#- Spark's date_add takes an int (a bigint is not narrowed implicitly). -#}
{% macro spark__add_days(expr, days) %}date_add({{ expr }}, cast({{ days }} as int)){% endmacro %}

{% macro add_months(expr, months) %}{{ return(adapter.dispatch('add_months', 'synapscale')(expr, months)) }}{% endmacro %}
{% macro default__add_months(expr, months) %}({{ expr }} + {{ months }} * interval 1 month)::date{% endmacro %}
{#- Both clamp to the month's last day (Jan 31 + 1 month = Feb 28). -#}
{% macro spark__add_months(expr, months) %}add_months({{ expr }}, cast({{ months }} as int)){% endmacro %}

{% macro days_between(start_expr, end_expr) %}{{ return(adapter.dispatch('days_between', 'synapscale')(start_expr, end_expr)) }}{% endmacro %}
{% macro default__days_between(start_expr, end_expr) %}({{ end_expr }} - {{ start_expr }}){% endmacro %}
{% macro spark__days_between(start_expr, end_expr) %}cast(datediff({{ end_expr }}, {{ start_expr }}) as bigint){% endmacro %}

{#- Whole hours from `start_at` to `end_at` (instants on hour boundaries, UTC session). -#}
{% macro hours_between(start_at, end_at) %}{{ return(adapter.dispatch('hours_between', 'synapscale')(start_at, end_at)) }}{% endmacro %}
{% macro default__hours_between(start_at, end_at) %}date_diff('hour', {{ start_at }}, {{ end_at }}){% endmacro %}
{% macro spark__hours_between(start_at, end_at) %}timestampdiff(HOUR, {{ start_at }}, {{ end_at }}){% endmacro %}

{#- UTC midnight starting a date, as an instant. -#}
{% macro date_start_instant(expr) %}{{ return(adapter.dispatch('date_start_instant', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__date_start_instant(expr) %}({{ expr }}::timestamp at time zone 'UTC'){% endmacro %}
{% macro spark__date_start_instant(expr) %}cast(cast({{ expr }} as date) as timestamp){% endmacro %}

{#- One row per date from start to end inclusive (scalar expressions), in a column named date_day. -#}
{% macro date_series(start_expr, end_expr) %}{{ return(adapter.dispatch('date_series', 'synapscale')(start_expr, end_expr)) }}{% endmacro %}
{% macro default__date_series(start_expr, end_expr) -%}
    select unnest(generate_series(({{ start_expr }})::date, ({{ end_expr }})::date, interval 1 day))::date as date_day
{%- endmacro %}
{% macro spark__date_series(start_expr, end_expr) -%}
    select explode(sequence(cast({{ start_expr }} as date), cast({{ end_expr }} as date), interval 1 day)) as date_day
{%- endmacro %}

{#- An exact DECIMAL(38,18) quotient of a non-negative or negative DECIMAL(38,18) amount by a positive whole
    count, truncated toward zero at 18 decimals (DuckDB's decimal division gives a DOUBLE). NULL when the
    count is 0 or NULL. -#}
{% macro divide_money(amount, count) %}{{ return(adapter.dispatch('divide_money', 'synapscale')(amount, count)) }}{% endmacro %}
{% macro default__divide_money(amount, count) -%}
    case when {{ count }} > 0 then (
        (replace(({{ amount }})::decimal(38, 18)::varchar, '.', '')::hugeint // ({{ count }})::hugeint)::decimal(38, 0)
        * 0.000000000000000001::decimal(19, 18)
    )::decimal(38, 18) end
{%- endmacro %}
{#- Spark (no 128-bit integer division): the decimal quotient rounded to 18 decimals is the truncated one or
    one unit (1e-18) further from zero; the remainder amount - q x count says which (exact while amounts stay
    below 10^11 per unit of count and 10^20 in total). -#}
{% macro spark__divide_money(amount, count) -%}
    {%- set q = 'cast(cast(' ~ amount ~ ' as decimal(38, 18)) / cast(' ~ count ~ ' as decimal(20, 0)) as decimal(38, 18))' -%}
    {%- set r = 'cast(' ~ amount ~ ' as decimal(38, 18)) - ' ~ q ~ ' * cast(' ~ count ~ ' as decimal(20, 0))' -%}
    case when {{ count }} > 0 then cast(
        {{ q }} - case
            when {{ amount }} >= 0 and {{ r }} < 0 then 0.000000000000000001
            when {{ amount }} < 0 and {{ r }} > 0 then -0.000000000000000001
            else 0
        end
    as decimal(38, 18)) end
{%- endmacro %}

{#- Aggregate: a JSON object text mapping each key of the group to true, keys sorted ('{"prod":true,"rag":true}');
    NULL over no rows. The keys of a group must be distinct. (FOCUS Tags: a valueless tag carries true.) -#}
{% macro json_true_object_agg(key_expr) %}{{ return(adapter.dispatch('json_true_object_agg', 'synapscale')(key_expr)) }}{% endmacro %}
{% macro default__json_true_object_agg(key_expr) -%}
    '{' || string_agg(to_json({{ key_expr }})::varchar || ':true', ',' order by {{ key_expr }}) || '}'
{%- endmacro %}
{#- Spark: to_json of a one-element array gives the key as a JSON string between brackets. -#}
{% macro spark__json_true_object_agg(key_expr) -%}
    case when count({{ key_expr }}) > 0 then concat('{', array_join(transform(array_sort(collect_list({{ key_expr }})),
        k -> concat(substring(to_json(array(k)), 2, length(to_json(array(k))) - 2), ':true')), ','), '}') end
{%- endmacro %}

{#- Config of a mart rebuilt by whole day (or month) slices: DuckDB deletes the slices the new rows bring and
    inserts them again (delete+insert keyed on the slice column); Spark overwrites the partitions of that
    column (insert_overwrite, partition_by). Use: config(materialized='incremental', **day_slice_config('usage_date')). -#}
{% macro day_slice_config(slice_column) %}{{ return(adapter.dispatch('day_slice_config', 'synapscale')(slice_column)) }}{% endmacro %}
{% macro default__day_slice_config(slice_column) %}{{ return({'incremental_strategy': 'delete+insert', 'unique_key': slice_column, 'on_schema_change': 'fail'}) }}{% endmacro %}
{#- Spark keeps partition columns last in the table's column order. -#}
{% macro spark__day_slice_config(slice_column) %}{{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [slice_column], 'on_schema_change': 'fail'}) }}{% endmacro %}

{#- Config of a core table rebuilt by key (macros/incremental.sql): DuckDB deletes the rows of the touched keys
    (pre-hook; `key`: the column or expression, `rebuilt`: the name of the macro giving the touched keys),
    appends them recomputed and records the watermarks of `sources` (post-hook); an incremental pipeline run
    tests only the rebuilt keys' rows (meta.tested_slice, macros/tests/tested_slice.sql). Spark's Parquet tables have no
    delete: Spark rebuilds the table whole. Use: config(**rebuilt_by_key_config('message_id', 'rebuilt_messages', [...])). -#}
{% macro rebuilt_by_key_config(key, rebuilt, sources) %}{{ return(adapter.dispatch('rebuilt_by_key_config', 'synapscale')(key, rebuilt, sources)) }}{% endmacro %}
{% macro default__rebuilt_by_key_config(key, rebuilt, sources) -%}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': 'append', 'on_schema_change': 'fail',
        'pre_hook': ['{{ delete_rebuilt_rows("' ~ key ~ '", ' ~ rebuilt ~ '()) }}'],
        'post_hook': ['{{ record_source_watermarks(' ~ sources ~ ') }}'],
        'meta': {'tested_slice': {'key': key, 'rebuilt': rebuilt}},
    }) }}
{%- endmacro %}
{% macro spark__rebuilt_by_key_config(key, rebuilt, sources) %}{{ return({'materialized': 'table'}) }}{% endmacro %}

{#- Pre-hook of an incremental model: delete its rows whose `key` is in `rebuilt` (SQL of a one-column list) before
    they are recomputed (nothing on a full build), so a key or slice that no longer has rows goes too. Spark's
    Parquet tables have no delete: nothing (the tables rebuilt by key are plain tables there). -#}
{% macro delete_rebuilt_rows(key, rebuilt) %}{{ return(adapter.dispatch('delete_rebuilt_rows', 'synapscale')(key, rebuilt)) }}{% endmacro %}
{% macro default__delete_rebuilt_rows(key, rebuilt) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key }} in ({{ rebuilt }})
    {%- endif -%}
{%- endmacro %}
{% macro spark__delete_rebuilt_rows(key, rebuilt) %}{{ return('') }}{% endmacro %}

{# ---------------------------------------------------------------------------------------------------------
   Text for people (alert messages, reasons)
--------------------------------------------------------------------------------------------------------- #}

{#- Money for a sentence: '$1,234.57' (rounded half-even to cents first; negative: '-$1.00'). -#}
{% macro format_usd(expr) %}{{ return(adapter.dispatch('format_usd', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__format_usd(expr) -%}
    (case when {{ expr }} < 0 then '-' else '' end || '$' || format('{:,.2f}', abs(round_even(({{ expr }})::decimal(38, 18), 2))))
{%- endmacro %}
{% macro spark__format_usd(expr) -%}
    concat(case when {{ expr }} < 0 then '-' else '' end, '$', format_number(abs(bround(cast({{ expr }} as decimal(38, 18)), 2)), 2))
{%- endmacro %}

{#- A number with `places` decimals ('0.81'), no thousands separator. -#}
{% macro format_fixed(expr, places) %}{{ return(adapter.dispatch('format_fixed', 'synapscale')(expr, places)) }}{% endmacro %}
{% macro default__format_fixed(expr, places) %}format('{:.{{ places }}f}', ({{ expr }})::double){% endmacro %}
{#- Spark: Java's format_string rounds the double's SHORTEST text half up (0.15 -> '0.2', 0.25 -> '0.3', 12.5 -> '13'),
    DuckDB (fmt) the exact binary value, ties to even (0.15 is 0.1499...: '0.1'; 0.25: '0.2'; 12.5: '12'). So the
    double is taken apart exactly: |v| = m / 2^k (m a bigint, k = 60 - floor(log2 |v|): scaling by a power of two
    is exact), then q = m x 10^places / 2^k in decimal(38, 0) and rounded by its remainder, ties to even; the
    text is built from q, with the sign of the double (-0.0 and -0.01 give '-0.0' on both). Exact for places <= 6
    and |v| < 2^52 (larger doubles are whole; Java formats them). -#}
{% macro spark__format_fixed(expr, places) -%}
    {%- set scale = '1' ~ ('0' * places) -%}
    {%- set power_of_two = 'cast(shiftleft(1L, least(k, 62)) as decimal(38, 0)) * cast(shiftleft(1L, greatest(k - 62, 0)) as decimal(38, 0))' -%}
    {%- set split = "named_struct('n', cast(cast(abs(v) * pow(2, k) as bigint) as decimal(38, 0)) * " ~ scale ~ ", 'd', " ~ power_of_two ~ ")" -%}
    {%- set rounded = '(t.n div t.d) + case when 2 * (t.n % t.d) > t.d or (2 * (t.n % t.d) = t.d and (t.n div t.d) % 2 = 1) then 1 else 0 end' -%}
    {%- set q = 'case when abs(v) < 8.673617379884035e-19 then 0L else element_at(transform(array(60 - cast(floor(log2(abs(v))) as int)), k -> element_at(transform(array(' ~ split ~ '), t -> ' ~ rounded ~ '), 1)), 1) end' -%}
    {%- set text = 'cast(q as string)' if places == 0 else "concat(cast(q div " ~ scale ~ " as string), '.', lpad(cast(q % " ~ scale ~ " as string), " ~ places ~ ", '0'))" -%}
    element_at(transform(array(cast({{ expr }} as double)), v -> case
        when v is null then null
        when isnan(v) or abs(v) >= 4503599627370496 then format_string('%.{{ places }}f', v)
        else concat(case when left(cast(v as string), 1) = '-' then '-' else '' end, element_at(transform(array({{ q }}), q -> {{ text }}), 1))
    end), 1)
{%- endmacro %}

{#- An integer with thousands separators ('12,345'). -#}
{% macro format_count(expr) %}{{ return(adapter.dispatch('format_count', 'synapscale')(expr)) }}{% endmacro %}
{% macro default__format_count(expr) %}format('{:,}', ({{ expr }})::bigint){% endmacro %}
{% macro spark__format_count(expr) %}format_number(cast({{ expr }} as bigint), 0){% endmacro %}

{#- Texts of a group joined by `separator`, in the order of `order_by` (an aggregate). -#}
{% macro string_agg_ordered(expr, separator, order_by) %}{{ return(adapter.dispatch('string_agg_ordered', 'synapscale')(expr, separator, order_by)) }}{% endmacro %}
{% macro default__string_agg_ordered(expr, separator, order_by) %}string_agg({{ expr }}, '{{ separator }}' order by {{ order_by }}){% endmacro %}
{% macro spark__string_agg_ordered(expr, separator, order_by) %}listagg({{ expr }}, '{{ separator }}') within group (order by {{ order_by }}){% endmacro %}

{#- Aggregates: `expr` of the group's first (last) row in the order of `order_columns`, a list of non-NULL columns
    (a NULL `expr` of that row is the answer, not skipped: DuckDB's arg_min skips it, Spark's min_by does not,
    hence arg_min_null). It rides in a group-by the model makes anyway,
    instead of a row_number() window beside it: at 10M calls conversations took 15 s with the window and 10 s
    this way, users' latest workspace 4.3 s and 0.7 s. Not always faster: for messages (about one call each)
    five of these were 33 s against the window's 17 s, so messages keeps its window. -#}
{% macro first_by(expr, order_columns) %}{{ return(adapter.dispatch('first_by', 'synapscale')(expr, order_columns)) }}{% endmacro %}
{% macro default__first_by(expr, order_columns) %}arg_min_null({{ expr }}, ({{ order_columns | join(', ') }}{{ ',' if order_columns | length == 1 }})){% endmacro %}
{% macro spark__first_by(expr, order_columns) %}min_by({{ expr }}, struct({{ order_columns | join(', ') }})){% endmacro %}
{% macro last_by(expr, order_columns) %}{{ return(adapter.dispatch('last_by', 'synapscale')(expr, order_columns)) }}{% endmacro %}
{% macro default__last_by(expr, order_columns) %}arg_max_null({{ expr }}, ({{ order_columns | join(', ') }}{{ ',' if order_columns | length == 1 }})){% endmacro %}
{% macro spark__last_by(expr, order_columns) %}max_by({{ expr }}, struct({{ order_columns | join(', ') }})){% endmacro %}
