-- Per user x workspace x UTC month: spend and behaviour (calls, active days, models used, cost per call) and the
-- user's share of the workspace's spend that month. A plain table over cost_daily_by_user (small).
with

daily as (
    select * from {{ ref('cost_daily_by_user') }}
),

monthly as (
    select
        {{ month_start('usage_date') }} as usage_month,
        workspace_id,
        user_id,
        sum(calls) as calls,
        sum(error_calls) as error_calls,
        sum(unpriced_calls) as unpriced_calls,
        count(distinct usage_date) as active_days,
        count(distinct model) as models_used,
        count(distinct provider) as providers_used,
        min(usage_date) as first_active_date,
        max(usage_date) as last_active_date,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cost_usd) as cost_usd
    from daily
    group by {{ month_start('usage_date') }}, workspace_id, user_id
),

with_workspace as (
    select
        *,
        sum(cost_usd) over (partition by workspace_id, usage_month) as workspace_cost_usd,
        rank() over (partition by workspace_id, usage_month order by cost_usd desc) as spend_rank_in_workspace
    from monthly
),

final as (
    select
        usage_month,
        workspace_id,
        user_id,
        calls::bigint as calls,
        error_calls::bigint as error_calls,
        unpriced_calls::bigint as unpriced_calls,
        active_days::bigint as active_days,
        models_used::bigint as models_used,
        providers_used::bigint as providers_used,
        first_active_date,
        last_active_date,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        cost_usd::decimal(38, 18) as cost_usd,
        {{ divide_money('cost_usd', 'calls - unpriced_calls') }} as cost_per_priced_call_usd,
        workspace_cost_usd::decimal(38, 18) as workspace_cost_usd,
        {{ ratio('cost_usd', 'workspace_cost_usd') }} as share_of_workspace_spend,
        spend_rank_in_workspace::bigint as spend_rank_in_workspace
    from with_workspace
)

select * from final
