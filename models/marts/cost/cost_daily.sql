with

usage as (
    select * from {{ ref('usage_logs') }}
),

daily as (
    select
        occurred_at::date as usage_date,
        workspace_id,
        coalesce(llm_id, 'unresolved:' || model_raw) as model,
        provider,
        count(*) as calls,
        count(*) filter (where status = 'error') as error_calls,
        count(distinct user_id) as active_users,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        coalesce(sum(cost_usd), 0)::decimal(38, 18) as cost_usd,
        count(*) filter (where cost_status = 'unpriced') as unpriced_calls
    from usage
    group by all
),

final as (
    select
        md5(usage_date::varchar || '|' || workspace_id || '|' || model || '|' || provider) as cost_daily_id,
        *
    from daily
)

select * from final
