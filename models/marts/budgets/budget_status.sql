-- Budget vs spend per workspace and UTC month (the billing month of the invoices), for every month the
-- workspace had calls: the budget in force and where it came from, spend so far, the month-end forecast, the
-- highest threshold crossed and when, and the forecast overrun if one was raised.
with

forecasts as (
    select * from {{ ref('budget_forecasts') }}
),

crossings as (
    select * from {{ ref('budget_threshold_crossings') }}
),

hourly as (
    select * from {{ ref('budget_spend_hourly') }}
),

workspaces as (
    select * from {{ ref('workspaces') }}
),

monthly_calls as (
    select
        workspace_id,
        period_month,
        sum(calls) as calls
    from hourly
    group by workspace_id, period_month
),

ranked_crossings as (
    select
        *,
        count(*) over (partition by workspace_id, period_month) as thresholds_crossed,
        row_number() over (partition by workspace_id, period_month order by threshold_pct desc) as crossing_rank
    from crossings
),

final as (
    select
        {{ surrogate_key(['forecasts.workspace_id', as_text('forecasts.period_month')]) }} as budget_status_id,
        forecasts.workspace_id,
        workspaces.workspace_name,
        forecasts.period_month,
        forecasts.budget_usd,
        forecasts.budget_source,
        monthly_calls.calls::bigint as calls,
        forecasts.month_to_date_spend_usd as spend_usd,
        case
            when forecasts.budget_usd > 0
                then round(forecasts.month_to_date_spend_usd::double / forecasts.budget_usd::double * 100, 2)
        end as spend_pct_of_budget,
        coalesce(
            forecasts.month_to_date_spend_usd >= forecasts.budget_usd and forecasts.month_to_date_spend_usd > 0, false
        ) as is_over_budget,
        forecasts.as_of_hour,
        forecasts.is_month_complete,
        forecasts.forecast_usd,
        case
            when forecasts.budget_usd > 0
                then round(forecasts.forecast_usd::double / forecasts.budget_usd::double * 100, 2)
        end as forecast_pct_of_budget,
        forecasts.is_forecast_over_budget,
        coalesce(ranked_crossings.thresholds_crossed, 0)::integer as thresholds_crossed,
        ranked_crossings.threshold_pct as highest_threshold_crossed_pct,
        ranked_crossings.crossed_at as highest_threshold_crossed_at,
        forecasts.overrun_detected_at as forecast_overrun_detected_at
    from forecasts
    inner join monthly_calls
        on forecasts.workspace_id = monthly_calls.workspace_id and forecasts.period_month = monthly_calls.period_month
    left join ranked_crossings
        on
            forecasts.workspace_id = ranked_crossings.workspace_id
            and forecasts.period_month = ranked_crossings.period_month
            and ranked_crossings.crossing_rank = 1
    left join workspaces on forecasts.workspace_id = workspaces.workspace_id
)

select * from final
