-- The month-end spend forecast per workspace and UTC month (method: macros/budgets.sql,
-- month_end_forecast_usd), as of the data's last hour, and the forecast overrun: the first hour of the month at
-- whose end the forecast exceeded the budget while spend had not reached it yet. The detection is replayed
-- over the month's hours (budget_spend_hourly), so it is the same on every run and after a full refresh, and
-- once raised it stays: a later, lower forecast does not withdraw it (the current forecast shows that).
with

hourly as (
    select * from {{ ref('budget_spend_hourly') }}
),

data_end as (
    select max(usage_hour) as as_of_hour from hourly
),

months as (
    select
        hourly.workspace_id,
        hourly.period_month,
        max(hourly.month_to_date_spend_usd) as month_to_date_spend_usd,
        max(hourly.budget_usd) as budget_usd,
        max(hourly.budget_source) as budget_source,
        min(hourly.usage_hour) as first_spend_hour_in_month,
        max(data_end.as_of_hour) as as_of_hour,
        greatest(
            {%- set month_end = date_start_instant(add_months('hourly.period_month', 1)) %}
            {{ hours_between('max(data_end.as_of_hour)', month_end) }} - 1,
            0
        ) as hours_remaining_in_month
    from hourly
    cross join data_end
    group by hourly.workspace_id, hourly.period_month
),

-- The workspace's spend in the 168 hours ending with the data's last hour, and its history then.
as_of_window as (
    select
        hourly.workspace_id,
        sum(
            case
                when {{ hours_between('hourly.usage_hour', 'data_end.as_of_hour') }} < {{ forecast_window_hours() }}
                    then hourly.spend_usd
                else 0
            end
        ) as trailing_7d_spend_usd,
        (
            {{ hours_between('min(hourly.usage_hour)', 'max(data_end.as_of_hour)') }}
            >= {{ forecast_window_hours() | int - 1 }}
        ) as has_forecast_history
    from hourly
    cross join data_end
    group by hourly.workspace_id
),

detections as (
    select
        workspace_id,
        period_month,
        usage_hour as overrun_detected_at,
        forecast_usd as overrun_detected_forecast_usd,
        month_to_date_spend_usd as overrun_detected_spend_usd,
        row_number() over (partition by workspace_id, period_month order by usage_hour) as detection_rank
    from hourly
    where
        has_forecast_history
        and budget_usd > 0
        and forecast_usd > budget_usd
        and month_to_date_spend_usd < budget_usd
),

forecast as (
    select
        months.*,
        case when months.hours_remaining_in_month > 0 then as_of_window.trailing_7d_spend_usd end
            as trailing_7d_spend_usd,
        months.hours_remaining_in_month = 0 or as_of_window.has_forecast_history as has_forecast,
        case
            when months.hours_remaining_in_month = 0 then months.month_to_date_spend_usd
            when as_of_window.has_forecast_history
                then {{ month_end_forecast_usd(
                    'months.month_to_date_spend_usd', 'as_of_window.trailing_7d_spend_usd', 'months.hours_remaining_in_month'
                ) }}
        end as forecast_usd
    from months
    inner join as_of_window on months.workspace_id = as_of_window.workspace_id
),

final as (
    select
        {{ surrogate_key(['forecast.workspace_id', as_text('forecast.period_month')]) }} as budget_forecast_id,
        forecast.workspace_id,
        forecast.period_month,
        forecast.as_of_hour,
        forecast.hours_remaining_in_month::integer as hours_remaining_in_month,
        (forecast.hours_remaining_in_month = 0) as is_month_complete,
        forecast.month_to_date_spend_usd::decimal(38, 18) as month_to_date_spend_usd,
        forecast.trailing_7d_spend_usd::decimal(38, 18) as trailing_7d_spend_usd,
        forecast.has_forecast,
        forecast.forecast_usd::decimal(38, 18) as forecast_usd,
        forecast.budget_usd::decimal(18, 2) as budget_usd,
        forecast.budget_source,
        coalesce(forecast.forecast_usd > forecast.budget_usd, false) as is_forecast_over_budget,
        detections.overrun_detected_at,
        detections.overrun_detected_forecast_usd::decimal(38, 18) as overrun_detected_forecast_usd,
        detections.overrun_detected_spend_usd::decimal(38, 18) as overrun_detected_spend_usd
    from forecast
    left join detections
        on
            forecast.workspace_id = detections.workspace_id
            and forecast.period_month = detections.period_month
            and detections.detection_rank = 1
)

select * from final
