{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Raw model names the cost engine could not resolve to a catalog model (docs/cost.md), per UTC day x raw name x
-- provider, with their volume: calls, tokens, and the spend a provider or gateway reported for them (the only
-- cost such calls can have). Add an alias or a catalog entry to price them. Incremental by UTC day; only calls
-- of unknown models re-open a day.
{% set contributes = 'llm_id is null' %}

with

{{ sliced_source('unknown', ref('usage_logs'), slices_of_new_calls(contributes), where=contributes) }},

daily as (
    select
        usage_date,
        model_raw,
        provider,
        min(model) as model,
        count(*) as calls,
        count(*) filter (where cost_status = 'provider_reported') as provider_reported_calls,
        count(distinct workspace_id) as workspaces,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        coalesce(sum(provider_cost_usd), 0) as provider_cost_usd,
        max(ingested_at) as last_ingested_at
    from unknown
    group by usage_date, model_raw, provider
),

final as (
    select
        usage_date,
        model_raw,
        provider,
        model,
        calls::bigint as calls,
        provider_reported_calls::bigint as provider_reported_calls,
        workspaces::bigint as workspaces,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        provider_cost_usd::decimal(38, 18) as provider_cost_usd,
        last_ingested_at
    from daily
)

select * from final
