{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Calls without a cost (cost_status 'unpriced': their cost is unknown, never 0) per UTC day x reason x model x
-- provider, with their tokens. Incremental by UTC day; only unpriced calls re-open a day.
{% set contributes = "cost_status = 'unpriced'" %}

with

{{ sliced_source('unpriced', ref('usage_logs'), slices_of_new_calls(contributes), where=contributes) }},

daily as (
    select
        usage_date,
        unpriced_reason,
        model,
        provider,
        count(*) as unpriced_calls,
        count(distinct workspace_id) as workspaces,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        max(ingested_at) as last_ingested_at
    from unpriced
    group by usage_date, unpriced_reason, model, provider
),

final as (
    select
        usage_date,
        unpriced_reason,
        model,
        provider,
        unpriced_calls::bigint as unpriced_calls,
        workspaces::bigint as workspaces,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        last_ingested_at
    from daily
)

select * from final
