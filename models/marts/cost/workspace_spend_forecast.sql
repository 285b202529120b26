-- Month-to-date spend and end-of-month forecast per workspace and UTC month (docs/marts/cost.md, "Forecast").
-- As of the last day of data (var forecast_as_of_date to pin another day):
--   forecast = month-to-date + daily run rate x days left in the month,
--   daily run rate = mean daily spend of the 7 days ending on the as-of day (days without calls count 0);
--   short history: a workspace whose first call is less than 7 days before the as-of day uses the days since
--   its first call (method 'short_history_mean'); a month that ended by the as-of day is its actual spend
--   (method 'month_complete'). Months after the as-of day are not forecast.
{% set as_of = var('forecast_as_of_date', none) %}

with

daily as (
    select * from {{ ref('workspace_trends_daily') }}
),

as_of as (
    select
        {% if as_of %}'{{ as_of }}'::date{% else %}max(usage_date){% endif %} as as_of_date
    from daily
),

months as (
    select
        {{ month_start('daily.usage_date') }} as usage_month,
        daily.workspace_id,
        coalesce(sum(daily.spend_usd) filter (where daily.usage_date <= as_of.as_of_date), 0) as month_to_date_usd
    from daily
    cross join as_of
    where {{ month_start('daily.usage_date') }} <= {{ month_start('as_of.as_of_date') }}
    group by {{ month_start('daily.usage_date') }}, daily.workspace_id
),

run_rates as (
    select
        daily.workspace_id,
        count(*) as run_rate_days,
        sum(daily.spend_usd) as run_rate_window_usd
    from daily
    cross join as_of
    where daily.usage_date between {{ add_days('as_of.as_of_date', -6) }} and as_of.as_of_date
    group by daily.workspace_id
),

forecasts as (
    select
        months.usage_month,
        months.workspace_id,
        as_of.as_of_date,
        {{ days_between('months.usage_month', add_months('months.usage_month', 1)) }} as days_in_month,
        months.month_to_date_usd,
        {{ add_days(add_months('months.usage_month', 1), -1) }} <= as_of.as_of_date as is_month_complete,
        case
            when {{ add_days(add_months('months.usage_month', 1), -1) }} <= as_of.as_of_date then 0
            else {{ days_between('as_of.as_of_date', add_days(add_months('months.usage_month', 1), -1)) }}
        end as days_remaining,
        coalesce(run_rates.run_rate_days, 0) as run_rate_days,
        coalesce(run_rates.run_rate_window_usd, 0) as run_rate_window_usd
    from months
    cross join as_of
    left join run_rates on months.workspace_id = run_rates.workspace_id
),

final as (
    select
        usage_month,
        workspace_id,
        as_of_date,
        days_in_month::bigint as days_in_month,
        (days_in_month - days_remaining)::bigint as days_elapsed,
        days_remaining::bigint as days_remaining,
        is_month_complete,
        month_to_date_usd::decimal(38, 18) as month_to_date_usd,
        case when not is_month_complete then run_rate_days end::bigint as run_rate_days,
        case when not is_month_complete then {{ divide_money('run_rate_window_usd', 'run_rate_days') }} end
            as daily_run_rate_usd,
        (
            month_to_date_usd
            + coalesce({{ divide_money('run_rate_window_usd * days_remaining', 'run_rate_days') }}, 0)
        )::decimal(38, 18) as forecast_usd,
        case
            when is_month_complete then 'month_complete'
            when run_rate_days >= 7 then 'trailing_7_day_mean'
            else 'short_history_mean'
        end as forecast_method
    from forecasts
)

select * from final
