{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- What prompt caching saved per UTC day x workspace x model x provider: each cached token priced at the rate
-- that priced the call's uncached input (usage_logs.applied_input_usd_per_1m, the cost engine's own rate, tier
-- included) minus what it really cost at the cache rate. Cache reads save; cache writes usually cost a premium
-- over the input rate (Anthropic: 1.25x), so net_cache_savings_usd = read savings - write premium. List
-- prices: a gateway-reported call cost is not split by bucket. Only calls with a computed cost and cache tokens.
-- Cache writes here are ALL writes: the 5-minute (cache_write) and the 1-hour (cache_write_1h) buckets.
{% set contributes = '(cache_read_tokens > 0 or cache_write_tokens > 0 or cache_write_1h_tokens > 0)'
    ~ ' and applied_input_usd_per_1m is not null' %}
{#- The columns it groups by, written once for the group by and the final select. -#}
{% set grain = ['usage_date', 'workspace_id', 'model', 'provider'] %}

with

touched_slices as (
    {{ slices_loaded_after(ref('usage_logs'), 'usage_date', 'ingested_at', 'last_ingested_at', contributes) }}
),

cached_calls as (
    select
        *,
        {{ bucket_cost_usd('cache_read_tokens', 'applied_input_usd_per_1m') }} as cache_read_at_input_rate_usd,
        {{ bucket_cost_usd('(cache_write_tokens + cache_write_1h_tokens)', 'applied_input_usd_per_1m') }}
            as cache_write_at_input_rate_usd
    from {{ ref('usage_logs') }}
    where {{ in_touched_slices('usage_date') }} and {{ contributes }}
),

daily as (
    select
        {{ grain | join(', ') }},
        count(*) as cached_calls,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens + cache_write_1h_tokens) as cache_write_tokens,
        sum(cache_read_cost_usd) as cache_read_cost_usd,
        sum(cache_read_at_input_rate_usd) as cache_read_at_input_rate_usd,
        sum(cache_write_cost_usd + cache_write_1h_cost_usd) as cache_write_cost_usd,
        sum(cache_write_at_input_rate_usd) as cache_write_at_input_rate_usd,
        max(ingested_at) as last_ingested_at
    from cached_calls
    group by {{ grain | join(', ') }}
),

final as (
    select
        {{ grain | join(', ') }},
        cached_calls::bigint as cached_calls,
        cache_read_tokens::bigint as cache_read_tokens,
        cache_write_tokens::bigint as cache_write_tokens,
        cache_read_cost_usd::decimal(38, 18) as cache_read_cost_usd,
        cache_read_at_input_rate_usd::decimal(38, 18) as cache_read_at_input_rate_usd,
        (cache_read_at_input_rate_usd - cache_read_cost_usd)::decimal(38, 18) as cache_read_savings_usd,
        cache_write_cost_usd::decimal(38, 18) as cache_write_cost_usd,
        cache_write_at_input_rate_usd::decimal(38, 18) as cache_write_at_input_rate_usd,
        (cache_write_cost_usd - cache_write_at_input_rate_usd)::decimal(38, 18) as cache_write_premium_usd,
        (
            (cache_read_at_input_rate_usd - cache_read_cost_usd)
            - (cache_write_cost_usd - cache_write_at_input_rate_usd)
        )::decimal(38, 18) as net_cache_savings_usd,
        last_ingested_at
    from daily
)

select * from final
