with

usage as (
    select * from {{ ref('usage_logs') }}
),

hourly as (
    select
        usage_hour,
        usage_date,
        workspace_id,
        user_id,
        model,
        provider,
        count(*) as calls,
        count(*) filter (where status = 'error') as error_calls,
        {{ summed_bucket_measures() }},
        count(*) filter (where cost_status = 'unpriced') as unpriced_calls
    from usage
    group by all
),

final as (
    select
        {{ surrogate_key(['usage_hour::varchar', 'workspace_id', 'user_id', 'model', 'provider']) }} as cost_hourly_id,
        *
    from hourly
)

select * from final
