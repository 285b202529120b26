-- Each workspace's spend per UTC hour with the month-to-date total, the month's budget and the month-end
-- forecast as they stood at the end of that hour: the series the threshold crossings and the forecast
-- overruns are found on. One row per workspace and hour with calls (cost_hourly's hours).
with

costs as (
    select * from {{ ref('cost_hourly') }}
),

budget_periods as (
    select * from {{ ref('int_workspace_budget_periods') }}
),

spend as (
    select
        workspace_id,
        usage_hour,
        date_trunc('month', usage_date)::date as period_month,
        sum(calls) as calls,
        sum(cost_usd) as spend_usd
    from costs
    group by workspace_id, usage_hour, date_trunc('month', usage_date)::date
),

-- Hours as numbers, for the trailing window (a RANGE frame of 168 hours, whichever hours had spend).
numbered as (
    select
        *,
        {{ hours_between('min(usage_hour) over ()', 'usage_hour') }} as hour_number,
        min(usage_hour) over (partition by workspace_id) as first_spend_hour
    from spend
),

running as (
    select
        *,
        sum(spend_usd) over (
            partition by workspace_id, period_month order by usage_hour rows between unbounded preceding and current row
        ) as month_to_date_spend_usd,
        sum(spend_usd) over (
            partition by workspace_id order by hour_number
            range between {{ forecast_window_hours() | int - 1 }} preceding and current row
        ) as trailing_7d_spend_usd,
        {%- set month_end = date_start_instant(add_months('period_month', 1)) %}
        {{ hours_between('usage_hour', month_end) }} - 1 as hours_remaining_in_month,
        (
            {{ hours_between('first_spend_hour', 'usage_hour') }} >= {{ forecast_window_hours() | int - 1 }}
        ) as has_forecast_history
    from numbered
),

budgeted as (
    select
        running.*,
        budget_periods.monthly_budget_usd as budget_usd,
        budget_periods.budget_source
    from running
    left join budget_periods
        on
            running.workspace_id = budget_periods.workspace_id
            and (budget_periods.effective_from is null or running.period_month >= budget_periods.effective_from)
            and (budget_periods.effective_to is null or running.period_month < budget_periods.effective_to)
),

final as (
    select
        {{ surrogate_key(['workspace_id', timestamp_text('usage_hour')]) }} as budget_spend_hourly_id,
        workspace_id,
        usage_hour,
        period_month,
        calls::bigint as calls,
        spend_usd::decimal(38, 18) as spend_usd,
        month_to_date_spend_usd::decimal(38, 18) as month_to_date_spend_usd,
        trailing_7d_spend_usd::decimal(38, 18) as trailing_7d_spend_usd,
        hours_remaining_in_month::integer as hours_remaining_in_month,
        has_forecast_history,
        case
            when has_forecast_history
                then {{ month_end_forecast_usd(
                    'month_to_date_spend_usd', 'trailing_7d_spend_usd', 'hours_remaining_in_month'
                ) }}
        end as forecast_usd,
        budget_usd::decimal(18, 2) as budget_usd,
        budget_source
    from budgeted
)

select * from final
