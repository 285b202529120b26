-- One row per budget threshold crossed: the first UTC hour at whose end a workspace's month-to-date spend
-- reached threshold_pct % of the month's budget (spend >= budget x pct / 100, and spend > 0, so a zero budget
-- is crossed by the first cent). Keyed by workspace, month and threshold, so the row (and its alert) stays
-- the same run after run; late usage can only move the hour earlier.
with

hourly as (
    select * from {{ ref('budget_spend_hourly') }}
),

thresholds as (
    {%- for pct in budget_alert_thresholds_pct() %}
        select {{ pct | int }} as threshold_pct{{ ' union all' if not loop.last }}
    {%- endfor %}
),

reached as (
    select
        hourly.workspace_id,
        hourly.period_month,
        thresholds.threshold_pct,
        hourly.budget_usd,
        hourly.budget_source,
        (hourly.budget_usd * thresholds.threshold_pct * 0.01)::decimal(38, 18) as threshold_usd,
        hourly.usage_hour,
        hourly.spend_usd,
        hourly.month_to_date_spend_usd,
        row_number() over (
            partition by hourly.workspace_id, hourly.period_month, thresholds.threshold_pct
            order by hourly.usage_hour
        ) as reached_rank
    from hourly
    inner join thresholds
        on hourly.month_to_date_spend_usd >= hourly.budget_usd * thresholds.threshold_pct * 0.01
    where hourly.budget_usd is not null and hourly.month_to_date_spend_usd > 0
),

final as (
    select
        {{ surrogate_key([
            'workspace_id', as_text('period_month'), "'budget_threshold'", as_text('threshold_pct')
        ]) }} as alert_id,
        workspace_id,
        period_month,
        threshold_pct::integer as threshold_pct,
        threshold_usd,
        budget_usd,
        budget_source,
        usage_hour as crossed_at,
        spend_usd as crossing_hour_spend_usd,
        month_to_date_spend_usd as spend_usd
    from reached
    where reached_rank = 1
)

select * from final
