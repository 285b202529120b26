-- Every alert the operations outbox delivers, one row each, with an id that never changes from run to run
-- (md5 of workspace, month and kind/threshold; of workspace, day and kind for an anomaly), so each is sent
-- exactly once: budget threshold crossings, forecast overruns, and spend anomalies (the UTC day's spend against
-- the workspace's usual day, marts.workspace_spend_anomalies), raised when the day is complete.
with

crossings as (
    select * from {{ ref('budget_threshold_crossings') }}
),

forecasts as (
    select * from {{ ref('budget_forecasts') }}
),

anomalies as (
    select * from {{ ref('workspace_spend_anomalies') }}
),

workspaces as (
    select * from {{ ref('workspaces') }}
),

threshold_alerts as (
    select
        crossings.alert_id,
        'budget_threshold' as alert_type,
        crossings.workspace_id,
        workspaces.workspace_name,
        crossings.period_month,
        crossings.threshold_pct,
        crossings.crossed_at as occurred_at,
        crossings.spend_usd,
        crossings.budget_usd::decimal(38, 18) as budget_usd,
        null::decimal(38, 18) as forecast_usd,
        {{ budget_threshold_severity('crossings.threshold_pct') }} as severity,
        {{ workspace_label('workspaces.workspace_name', 'crossings.workspace_id') }} || ' reached '
        || crossings.threshold_pct::{{ type_varchar() }} || '% of its ' || {{ format_usd('crossings.budget_usd') }}
        || ' budget for ' || {{ format_datetime('crossings.period_month', '%Y-%m') }} || ': '
        || {{ format_usd('crossings.spend_usd') }} || ' spent by the end of the hour from '
        || {{ format_datetime('crossings.crossed_at', '%Y-%m-%d %H:00') }} || ' UTC.' as message
    from crossings
    left join workspaces on crossings.workspace_id = workspaces.workspace_id
),

forecast_alerts as (
    select
        {{ surrogate_key(['forecasts.workspace_id', as_text('forecasts.period_month'), "'forecast_overrun'"]) }}
            as alert_id,
        'forecast_overrun' as alert_type,
        forecasts.workspace_id,
        workspaces.workspace_name,
        forecasts.period_month,
        null::integer as threshold_pct,
        forecasts.overrun_detected_at as occurred_at,
        forecasts.overrun_detected_spend_usd as spend_usd,
        forecasts.budget_usd::decimal(38, 18) as budget_usd,
        forecasts.overrun_detected_forecast_usd as forecast_usd,
        'warning' as severity,
        {{ workspace_label('workspaces.workspace_name', 'forecasts.workspace_id') }} || ' is forecast to spend '
        || {{ format_usd('forecasts.overrun_detected_forecast_usd') }} || ' in '
        || {{ format_datetime('forecasts.period_month', '%Y-%m') }} || ', over its '
        || {{ format_usd('forecasts.budget_usd') }} || ' budget ('
        || {{ format_usd('forecasts.overrun_detected_spend_usd') }} || ' spent by the end of the hour from '
        || {{ format_datetime('forecasts.overrun_detected_at', '%Y-%m-%d %H:00') }} || ' UTC).' as message
    from forecasts
    left join workspaces on forecasts.workspace_id = workspaces.workspace_id
    where forecasts.overrun_detected_at is not null
),

spend_anomaly_alerts as (
    select
        {{ surrogate_key(['anomalies.workspace_id', as_text('anomalies.usage_date'), "'spend_anomaly'"]) }}
            as alert_id,
        'spend_anomaly' as alert_type,
        anomalies.workspace_id,
        workspaces.workspace_name,
        {{ month_start('anomalies.usage_date') }} as period_month,
        null::integer as threshold_pct,
        {{ date_start_instant(add_days('anomalies.usage_date', 1)) }} as occurred_at,
        anomalies.spend_usd,
        null::decimal(38, 18) as budget_usd,
        null::decimal(38, 18) as forecast_usd,
        'warning' as severity,
        {{ workspace_label('workspaces.workspace_name', 'anomalies.workspace_id') }} || ' spent '
        || {{ format_usd('anomalies.spend_usd') }} || ' on '
        || {{ format_datetime('anomalies.usage_date', '%Y-%m-%d') }} || ' (UTC), a '
        || anomalies.deviation_direction || ' against its usual ' || {{ format_usd('anomalies.baseline_usd') }}
        || ' a day (robust z-score ' || {{ format_fixed('anomalies.robust_z_score', 1) }} || ').' as message
    from anomalies
    left join workspaces on anomalies.workspace_id = workspaces.workspace_id
    where anomalies.is_anomaly
),

final as (
    select * from threshold_alerts
    union all
    select * from forecast_alerts
    union all
    select * from spend_anomaly_alerts
)

select * from final
