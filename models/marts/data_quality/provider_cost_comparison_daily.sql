{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Calls whose provider or gateway reported a cost AND whose cost the engine could compute from list prices,
-- per UTC day x model x provider: both totals, their difference (reported - computed) and ratio, and how many
-- calls differ by more than 1 % (the reported cost is what the call costs: docs/cost.md, precedence).
-- Incremental by UTC day; only such calls re-open a day.
{% set contributes = 'provider_cost_usd is not null and computed_cost_usd is not null' %}

with

{{ sliced_source('compared', ref('usage_logs'), slices_of_new_calls(contributes), where=contributes) }},

daily as (
    select
        usage_date,
        model,
        provider,
        count(*) as calls,
        count(*) filter (
            where abs(provider_cost_usd - computed_cost_usd) > 0.01 * computed_cost_usd
        ) as calls_differing_over_1_percent,
        sum(provider_cost_usd) as provider_cost_usd,
        sum(computed_cost_usd) as computed_cost_usd,
        max(ingested_at) as last_ingested_at
    from compared
    group by usage_date, model, provider
),

final as (
    select
        usage_date,
        model,
        provider,
        calls::bigint as calls,
        calls_differing_over_1_percent::bigint as calls_differing_over_1_percent,
        provider_cost_usd::decimal(38, 18) as provider_cost_usd,
        computed_cost_usd::decimal(38, 18) as computed_cost_usd,
        (provider_cost_usd - computed_cost_usd)::decimal(38, 18) as difference_usd,
        {{ ratio('provider_cost_usd', 'computed_cost_usd') }} as provider_to_computed_ratio,
        last_ingested_at
    from daily
)

select * from final
