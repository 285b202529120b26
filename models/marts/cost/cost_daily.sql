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
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(visible_output_tokens) as visible_output_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        sum(uncached_input_cost_usd)::decimal(38, 18) as uncached_input_cost_usd,
        sum(cache_read_cost_usd)::decimal(38, 18) as cache_read_cost_usd,
        sum(cache_write_cost_usd)::decimal(38, 18) as cache_write_cost_usd,
        sum(visible_output_cost_usd)::decimal(38, 18) as visible_output_cost_usd,
        sum(reasoning_cost_usd)::decimal(38, 18) as reasoning_cost_usd,
        sum(cost_usd)::decimal(38, 18) as cost_usd,
        sum(unpriced_calls) as unpriced_calls
    from hourly
    group by all
),

final as (
    select
        md5(concat_ws('|', usage_date::varchar, workspace_id, model, provider)) as cost_daily_id,
        *
    from daily
)

select * from final
