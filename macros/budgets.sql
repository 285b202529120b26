{#- Budget rules (docs/marts/budgets.md). -#}

{#- The budget thresholds, percent of the month's budget, that raise an alert when month-to-date spend reaches
    them. Override with --vars '{budget_alert_thresholds_pct: [50, 90, 100]}' (integers). -#}
{% macro budget_alert_thresholds_pct() -%}
    {{ return(var('budget_alert_thresholds_pct', [50, 80, 100])) }}
{%- endmacro %}

{#- The month-end spend forecast, the one copy of the method:
        forecast = month-to-date spend + trailing 7-day spend x hours left in the month / 168
    i.e. the last 7 days' average hourly run rate (168 hours ending with the as-of hour, across a month boundary:
    early in a month it still has a week of data; a full week has every weekday once) carried to the end of the
    month. Needs 7 days of the workspace's history, else no forecast (NULL, the caller's case). The projection is
    an estimate (scaled_usd_estimate: DOUBLE, rounded to DECIMAL(38,6)); month-to-date spend stays exact. -#}
{% macro month_end_forecast_usd(month_to_date_spend, trailing_7d_spend, hours_remaining) -%}
    ({{ month_to_date_spend }} + {{ scaled_usd_estimate(trailing_7d_spend, hours_remaining, forecast_window_hours()) }})::decimal(38, 18)
{%- endmacro %}

{#- Length of the forecast's trailing window, and the history a workspace needs before it is forecast. -#}
{% macro forecast_window_hours() -%}168{%- endmacro %}

{#- Severity of a budget alert: 100 % and above critical, 80 % and above warning, else info. -#}
{% macro budget_threshold_severity(threshold_pct) -%}
    case when {{ threshold_pct }} >= 100 then 'critical' when {{ threshold_pct }} >= 80 then 'warning' else 'info' end
{%- endmacro %}

{#- A workspace in a sentence: 'Acme Labs (ws_0001)', or the id alone when it has no name. -#}
{% macro workspace_label(workspace_name, workspace_id) -%}
    coalesce({{ workspace_name }} || ' (' || {{ workspace_id }} || ')', {{ workspace_id }})
{%- endmacro %}
