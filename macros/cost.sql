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

{#- regexp_replace(...regexp_replace(expression, pattern_1, '')..., pattern_n, ''), each replacing the first match
    only (regex_replace, macros/cross_engine.sql: escaped for Spark's string literals). -#}
{% macro regexp_strip_in_order(expression, patterns) -%}
    {%- set stripped = namespace(sql=expression) -%}
    {%- for pattern in patterns -%}
        {%- set stripped.sql = regex_replace(stripped.sql, pattern, '') -%}
    {%- endfor -%}
    {{ stripped.sql }}
{%- endmacro %}

{#- Cost of one token bucket: tokens x USD-per-1M rate, exact, DECIMAL(38,18).
    decimal(38,0) x decimal(20,12) = decimal(38,12); x decimal(7,6) = decimal(38,18). Never divide money. -#}
{% macro bucket_cost_usd(tokens, rate_usd_per_1m) -%}
    ({{ tokens }}::decimal(38, 0) * {{ rate_usd_per_1m }}::decimal(20, 12) * 0.000001::decimal(7, 6))::decimal(38, 18)
{%- endmacro %}

{#- A money ESTIMATE, amount x numerator / denominator (a window's saving scaled to a month, a run rate carried
    to the month's end): it divides, so it is computed in DOUBLE (both engines divide IEEE doubles alike) and
    rounded to DECIMAL(38,6). Never for a bill: costs never divide. -#}
{% macro scaled_usd_estimate(amount, numerator, denominator) -%}
    ({{ double_to_decimal('(' ~ amount ~ ')::double * ' ~ numerator ~ ' / ' ~ denominator, 6) }})::decimal(38, 18)
{%- endmacro %}

{#- The priced token buckets: the ONE list (docs/cost.md, rules 3-5). Every bucket-shaped piece of SQL is built
    from it: the split of inclusive totals into exclusive buckets, the rate each bucket is priced at, the bucket
    costs, their total, the columns usage_logs carries and the cost marts sum. Adding a bucket is one entry here
    (plus its raw token field, its seed rate columns and its contract columns).
    Each bucket:
      name          the bucket; its columns are <name>_tokens and <name>_cost_usd
      split         SQL of its tokens from the inclusive totals of a call (staged column names)
      rate          its rate: llm_prices.<rate>_usd_per_1m, applied as applied_<rate>_usd_per_1m
      tier_rate     its rate above a long-context threshold (llm_prices.<tier_rate>_usd_per_1m); none = no tier
                    column: the rate it falls back to, at its tier value
      falls_back_to the rate used when its own is empty (none = the rate is required); at the tier, the
                    fallback's tier rate. Fallbacks may chain. -#}
{% macro cost_buckets() -%}
    {{ return([
        {'name': 'uncached_input', 'split': 'input_tokens - cache_read_input_tokens - cache_creation_input_tokens',
            'rate': 'input', 'tier_rate': 'tier_input', 'falls_back_to': none},
        {'name': 'cache_read', 'split': 'cache_read_input_tokens',
            'rate': 'cache_read', 'tier_rate': 'tier_cache_read', 'falls_back_to': 'input'},
        {'name': 'cache_write', 'split': 'cache_creation_input_tokens - coalesce(cache_creation_1h_input_tokens, 0)',
            'rate': 'cache_write', 'tier_rate': 'tier_cache_write', 'falls_back_to': 'input'},
        {'name': 'cache_write_1h', 'split': 'coalesce(cache_creation_1h_input_tokens, 0)',
            'rate': 'cache_write_1h', 'tier_rate': 'tier_cache_write_1h', 'falls_back_to': 'cache_write'},
        {'name': 'visible_output', 'split': 'output_tokens - reasoning_output_tokens',
            'rate': 'output', 'tier_rate': 'tier_output', 'falls_back_to': none},
        {'name': 'reasoning', 'split': 'reasoning_output_tokens',
            'rate': 'reasoning', 'tier_rate': none, 'falls_back_to': 'output'},
    ]) }}
{%- endmacro %}

{#- The long-context rule: a prompt strictly ABOVE the threshold (at it: base rates); no threshold = never. -#}
{% macro exceeds_tier_threshold(input_tokens, threshold) -%}
    coalesce({{ input_tokens }} > {{ threshold }}, false)
{%- endmacro %}

{#- The same rule for a tier class (int_tier_classes): calls whose prompts exceed tier_floor_tokens and no higher
    threshold are above a threshold T of the price seed exactly when tier_floor_tokens >= T. -#}
{% macro tier_class_exceeds_threshold(tier_floor_tokens, threshold) -%}
    coalesce({{ tier_floor_tokens }} >= {{ threshold }}, false)
{%- endmacro %}

{#- Select-list items: a price row's rate columns (every bucket's rate and tier rate) from `relation`, renamed
    <prefix><column> (e.g. target_input_usd_per_1m), for applied_rates(prefix, ...). -#}
{% macro price_rate_columns(relation, prefix='') -%}
    {%- set columns = [] -%}
    {%- for bucket in cost_buckets() -%}
        {%- do columns.append(bucket.rate ~ '_usd_per_1m') -%}
        {%- if bucket.tier_rate -%}{%- do columns.append(bucket.tier_rate ~ '_usd_per_1m') -%}{%- endif -%}
    {%- endfor -%}
    {%- do columns.append('tier_threshold_tokens') -%}
    {%- for column in columns %}
        {{ relation }}.{{ column }} as {{ prefix }}{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Select-list items: each bucket's tokens from a call's inclusive totals (<name>_tokens, bigint). -#}
{% macro split_token_buckets() -%}
    {%- for bucket in cost_buckets() %}
        ({{ bucket.split }})::bigint as {{ bucket.name }}_tokens{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- True when a bucket is negative (cache larger than the prompt, reasoning larger than the output). -#}
{% macro has_negative_token_bucket(prefix='') -%}
    ({% for bucket in cost_buckets() %}{{ prefix }}{{ bucket.name }}_tokens < 0{{ ' or ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- The SQL of one applied rate (USD per 1M): the rule of docs/cost.md 4-5 for the price row whose columns are
    `<price_prefix><rate>_usd_per_1m` (price_prefix: '' when they are in scope, 'target_' or 'prices.' ...).
    is_tier: SQL true when the whole call (or token mix) is priced at the tier rates.
    is_priceable: SQL false when the call cannot be priced; then a required rate (no fallback) is NULL and so is
    every bucket cost priced at it. none = always priceable. -#}
{% macro applied_rate_sql(rate, price_prefix, is_tier, is_priceable=none) -%}
    {%- set bucket = cost_buckets() | selectattr('rate', 'equalto', rate) | first -%}
    {%- set base = price_prefix ~ rate ~ '_usd_per_1m' -%}
    {%- set tier = price_prefix ~ bucket.tier_rate ~ '_usd_per_1m' if bucket.tier_rate else none -%}
    {%- if bucket.falls_back_to is none -%}
        {%- set guard = ' when not (' ~ is_priceable ~ ') then null' if is_priceable is not none else '' -%}
        {%- set at_tier = 'coalesce(' ~ tier ~ ', ' ~ base ~ ')' if tier else base -%}
        {%- set sql = '(case' ~ guard ~ ' when ' ~ is_tier ~ ' then ' ~ at_tier ~ ' else ' ~ base ~ ' end)' -%}
    {%- else -%}
        {%- set fallback = applied_rate_sql(bucket.falls_back_to, price_prefix, is_tier, is_priceable) -%}
        {%- set at_tier = 'coalesce(' ~ tier ~ ', ' ~ fallback ~ ')' if tier else fallback -%}
        {%- set otherwise = 'coalesce(' ~ base ~ ', ' ~ fallback ~ ')' -%}
        {%- set sql = '(case when ' ~ is_tier ~ ' then ' ~ at_tier ~ ' else ' ~ otherwise ~ ' end)' -%}
    {%- endif -%}
    {{ return(sql) }}
{%- endmacro %}

{#- Select-list items: applied_<rate>_usd_per_1m for every bucket's rate (see applied_rate_sql). -#}
{% macro applied_rates(price_prefix, is_tier, is_priceable=none) -%}
    {%- for bucket in cost_buckets() %}
        {{ applied_rate_sql(bucket.rate, price_prefix, is_tier, is_priceable) }} as applied_{{ bucket.rate }}_usd_per_1m
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Select-list items: the applied rates as DECIMAL(20,12) columns, for a model's final select. -#}
{% macro applied_rate_columns() -%}
    {%- for bucket in cost_buckets() %}
        {%- set rate = 'applied_' ~ bucket.rate ~ '_usd_per_1m' %}
        {{ rate }}::decimal(20, 12) as {{ rate }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Select-list items: <cost_prefix><name>_cost_usd = <tokens_prefix><name>_tokens x applied_<rate>_usd_per_1m,
    exact (bucket_cost_usd). For one call or a summed token mix: costs are linear in tokens within one price row
    and tier class, so pricing the sums equals summing the per-call prices, to the last decimal. -#}
{% macro priced_buckets(tokens_prefix='', cost_prefix='', rate_prefix='applied_') -%}
    {%- for bucket in cost_buckets() %}
        {%- set tokens = tokens_prefix ~ bucket.name ~ '_tokens' %}
        {{ bucket_cost_usd(tokens, rate_prefix ~ bucket.rate ~ '_usd_per_1m') }} as {{ cost_prefix ~ bucket.name }}_cost_usd
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The sum of the bucket costs <prefix><name>_cost_usd (NULL when one is NULL), DECIMAL(38,18). -#}
{% macro total_bucket_cost(prefix='') -%}
    (
        {% for bucket in cost_buckets() %}{{ prefix }}{{ bucket.name }}_cost_usd{{ ' + ' if not loop.last }}{% endfor %}
    )::decimal(38, 18)
{%- endmacro %}

{#- Select-list items naming each bucket's column <prefix><name><suffix> (e.g. suffix '_tokens'), in list order. -#}
{% macro bucket_columns(suffix, prefix='') -%}
    {%- for bucket in cost_buckets() %}
        {{ prefix }}{{ bucket.name }}{{ suffix }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The additive measures of the cost marts, summed over the rows of a group (calls into an hour, hours into a
    day, ...): tokens per bucket, then cost per bucket and in total, where an unpriced call adds 0 (the marts
    count those in unpriced_calls). One list, so every grain carries the same measures. -#}
{% macro summed_bucket_measures() -%}
    {%- set tokens = ['input_tokens', 'output_tokens'] -%}
    {%- set costs = [] -%}
    {%- for bucket in cost_buckets() -%}
        {%- do tokens.append(bucket.name ~ '_tokens') -%}
        {%- do costs.append(bucket.name ~ '_cost_usd') -%}
    {%- endfor -%}
    {%- do costs.append('cost_usd') -%}
    {%- for column in tokens %}
        sum({{ column }}) as {{ column }},
    {%- endfor %}
    {%- for column in costs %}
        coalesce(sum({{ column }}), 0)::decimal(38, 18) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The curated names a raw model name is looked up in (docs/cost.md, rule 1): the alias seed, then the
    catalog's own llm_ids; an alias wins over an llm_id spelled the same. Columns lookup_name, llm_id,
    matched_on ('alias' or 'catalog'). The LiteLLM fallback (int_litellm_models) is looked up only after it. -#}
{% macro curated_model_name_lookup() -%}
    select
        lookup_name,
        llm_id,
        matched_on
    from (
        select
            lower(trim(alias)) as lookup_name,
            llm_id,
            'alias' as matched_on,
            1 as lookup_priority
        from {{ ref('llm_aliases') }}
        union all
        select
            lower(trim(llm_id)) as lookup_name,
            llm_id,
            'catalog' as matched_on,
            2 as lookup_priority
        from {{ ref('llm_catalog') }}
    ) as candidates
    qualify row_number() over (partition by lookup_name order by lookup_priority) = 1
{%- endmacro %}

{#- The three forms a raw model name is looked up in (docs/cost.md, rule 1), as columns added to every row of
    `relation`: name_as_reported (lower-cased), name_without_prefixes (also without provider/region/vendor
    prefixes) and name_normalised (also without date/version suffixes); the SQL counterpart of model_name_forms in
    synapscale/prices/model_names.py. -#}
{% macro model_name_forms(relation, name_column) -%}
    select
        *,
        {{ strip_model_name_suffixes('name_without_prefixes') }} as name_normalised
    from (
        select
            *,
            lower({{ name_column }}) as name_as_reported,
            {{ strip_model_name_prefixes('lower(' ~ name_column ~ ')') }} as name_without_prefixes
        from {{ relation }}
    ) as name_forms
{%- endmacro %}

{#- Every row of `forms` (built by model_name_forms) with the first of its three name forms that `lookup`
    (columns lookup_name, llm_id, matched_on) knows, in rule-1 order: matched_llm_id, matched_step
    ('as_reported', 'prefixes_stripped' or 'normalised') and matched_on; all null when no form matches. -#}
{% macro match_model_name_forms(forms, lookup) -%}
    select
        {{ forms }}.*,
        coalesce(as_reported.llm_id, without_prefixes.llm_id, without_suffixes.llm_id) as matched_llm_id,
        case
            when as_reported.llm_id is not null then 'as_reported'
            when without_prefixes.llm_id is not null then 'prefixes_stripped'
            when without_suffixes.llm_id is not null then 'normalised'
        end as matched_step,
        coalesce(as_reported.matched_on, without_prefixes.matched_on, without_suffixes.matched_on) as matched_on
    from {{ forms }}
    left join {{ lookup }} as as_reported
        on {{ forms }}.name_as_reported = as_reported.lookup_name
    left join {{ lookup }} as without_prefixes
        on {{ forms }}.name_without_prefixes = without_prefixes.lookup_name
    left join {{ lookup }} as without_suffixes
        on {{ forms }}.name_normalised = without_suffixes.lookup_name
{%- endmacro %}
