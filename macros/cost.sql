{#-
    Cost rules (see docs/cost.md). Money is DECIMAL: rates are DECIMAL(20,12) USD per 1M tokens, so
    tokens x rate x 0.000001 is exact at 18 decimal places, the scale of every cost column.
-#}

{#- Model-name normalisation (docs/cost.md). The patterns are the vars model_name_prefix_patterns and
    model_name_suffix_patterns in dbt_project.yml, the one copy (synapscale/prices/model_names.py applies the same lists):
    each list is applied in order, each pattern once (its first match), replaced by ''. -#}
{% macro strip_model_name_prefixes(name) -%}
    {{ regexp_strip_in_order(name, var('model_name_prefix_patterns')) }}
{%- endmacro %}

{% macro strip_model_name_suffixes(name) -%}
    {{ regexp_strip_in_order(name, var('model_name_suffix_patterns')) }}
{%- endmacro %}

{#- regexp_replace(...regexp_replace(expression, pattern_1, '')..., pattern_n, ''): without the 'g' option
    DuckDB replaces the first match only. -#}
{% macro regexp_strip_in_order(expression, patterns) -%}
    {%- set stripped = namespace(sql=expression) -%}
    {%- for pattern in patterns -%}
        {%- set stripped.sql = "regexp_replace(" ~ stripped.sql ~ ", '" ~ (pattern | replace("'", "''")) ~ "', '')" -%}
    {%- endfor -%}
    {{ stripped.sql }}
{%- endmacro %}

{#- Cost of one token bucket: tokens x USD-per-1M rate, exact, DECIMAL(38,18).
    decimal(38,0) x decimal(20,12) = decimal(38,12); x decimal(7,6) = decimal(38,18). Never divide money. -#}
{% macro bucket_cost_usd(tokens, rate_usd_per_1m) -%}
    ({{ tokens }}::decimal(38, 0) * {{ rate_usd_per_1m }}::decimal(20, 12) * 0.000001::decimal(7, 6))::decimal(38, 18)
{%- endmacro %}

{#- The additive measures of the cost marts, summed over the rows of a group (calls into an hour, hours into a
    day, ...): tokens per bucket, then cost per bucket and in total, where an unpriced call adds 0 (the marts
    count those in unpriced_calls). One list, so every grain carries the same measures. -#}
{% macro summed_bucket_measures() -%}
    {%- set tokens = ['input_tokens', 'output_tokens', 'uncached_input_tokens', 'cache_read_tokens',
        'cache_write_tokens', 'visible_output_tokens', 'reasoning_tokens'] -%}
    {%- set costs = ['uncached_input_cost_usd', 'cache_read_cost_usd', 'cache_write_cost_usd',
        'visible_output_cost_usd', 'reasoning_cost_usd', 'cost_usd'] -%}
    {%- for column in tokens %}
        sum({{ column }}) as {{ column }},
    {%- endfor %}
    {%- for column in costs %}
        coalesce(sum({{ column }}), 0)::decimal(38, 18) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
