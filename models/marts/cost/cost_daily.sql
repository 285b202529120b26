with

hourly as (
    select * from {{ ref('cost_hourly') }}
),

daily as (
    select
        usage_date,
        workspace_id,
        model,
        provider,
        sum(calls) as calls,
        sum(error_calls) as error_calls,
        count(distinct user_id) as active_users,
        {{ summed_bucket_measures() }},
        sum(unpriced_calls) as unpriced_calls
    from hourly
    group by all
),

final as (
    select
        {{ surrogate_key(['usage_date::varchar', 'workspace_id', 'model', 'provider']) }} as cost_daily_id,
        *
    from daily
)

select * from final
