{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- When calls arrived: per UTC day the calls happened x UTC day they were ingested, with the lateness in days
-- and its bucket. Summed over usage_date it gives each arrival day's intake by lateness. Incremental by UTC day.
with

{{ sliced_source('usage', ref('usage_logs'), slices_of_new_calls()) }},

arrivals as (
    select
        usage_date,
        {{ utc_date('ingested_at') }} as arrival_date,
        count(*) as calls,
        count(distinct load_id) as loads,
        coalesce(sum(cost_usd), 0) as cost_usd,
        max(ingested_at) as last_ingested_at
    from usage
    group by usage_date, {{ utc_date('ingested_at') }}
),

final as (
    select
        usage_date,
        arrival_date,
        {{ days_between('usage_date', 'arrival_date') }}::bigint as lateness_days,
        {{ lateness_bucket(days_between('usage_date', 'arrival_date')) }} as lateness_bucket,
        calls::bigint as calls,
        loads::bigint as loads,
        cost_usd::decimal(38, 18) as cost_usd,
        last_ingested_at
    from arrivals
)

select * from final
