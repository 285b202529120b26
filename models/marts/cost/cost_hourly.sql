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
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(visible_output_tokens) as visible_output_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        coalesce(sum(uncached_input_cost_usd), 0)::decimal(38, 18) as uncached_input_cost_usd,
        coalesce(sum(cache_read_cost_usd), 0)::decimal(38, 18) as cache_read_cost_usd,
        coalesce(sum(cache_write_cost_usd), 0)::decimal(38, 18) as cache_write_cost_usd,
        coalesce(sum(visible_output_cost_usd), 0)::decimal(38, 18) as visible_output_cost_usd,
        coalesce(sum(reasoning_cost_usd), 0)::decimal(38, 18) as reasoning_cost_usd,
        coalesce(sum(cost_usd), 0)::decimal(38, 18) as cost_usd,
        count(*) filter (where cost_status = 'unpriced') as unpriced_calls
    from usage
    group by all
),

final as (
    select
        md5(concat_ws('|', usage_hour::varchar, workspace_id, user_id, model, provider)) as cost_hourly_id,
        *
    from hourly
)

select * from final
