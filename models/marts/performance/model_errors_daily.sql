{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Failed calls per UTC day x model x provider x error type ('unknown' when the error was not typed). The share
-- of all calls is error_calls / model_provider_performance_daily.calls (same day, model, provider). Incremental
-- by UTC day; only error calls re-open a day (this mart holds nothing else).
{% set contributes = "status = 'error'" %}

with

{{ sliced_source('errors', ref('usage_logs'), slices_of_new_calls(contributes), where=contributes) }},

by_type as (
    select
        usage_date,
        model,
        provider,
        coalesce(error_type, 'unknown') as error_type,
        count(*) as error_calls,
        {{ percentile_cont('latency_ms', 0.5) }} as latency_p50_ms,
        max(ingested_at) as last_ingested_at
    from errors
    group by usage_date, model, provider, coalesce(error_type, 'unknown')
),

final as (
    select
        usage_date,
        model,
        provider,
        error_type,
        error_calls::bigint as error_calls,
        latency_p50_ms,
        last_ingested_at
    from by_type
)

select * from final
