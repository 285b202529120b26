-- Spend anomalies per workspace and UTC day (the rule: docs/marts/trends.md). The day's spend is compared with
-- the trailing 28 days before it (the day itself excluded; days without calls count as 0; days before the
-- workspace's first call are not history):
--   baseline_usd   = median of those days' spend
--   robust_z_score = (spend - baseline) / (1.4826 x MAD), MAD = median absolute deviation from the baseline;
--                    when MAD is 0, the mean absolute deviation x 1.2533 scales instead; NULL when both are 0
--   is_anomaly     = history_days >= 14 and |robust_z_score| > 3.5 and max(spend, baseline) >= 1 USD
-- (vars anomaly_min_history_days, anomaly_z_threshold, anomaly_min_spend_usd).
{% set min_history_days = var('anomaly_min_history_days', 14) %}
{% set z_threshold = var('anomaly_z_threshold', 3.5) %}
{% set min_spend_usd = var('anomaly_min_spend_usd', 1) %}

with

daily as (
    select * from {{ ref('workspace_trends_daily') }}
),

trailing_days as (
    select
        day.workspace_id,
        day.usage_date,
        history.spend_usd as history_spend_usd
    from daily as day
    inner join daily as history
        on
            day.workspace_id = history.workspace_id
            and {{ add_days('day.usage_date', -28) }} <= history.usage_date
            and day.usage_date > history.usage_date
),

baselines as (
    select
        workspace_id,
        usage_date,
        count(*) as history_days,
        {{ percentile_cont_money('history_spend_usd', 0.5) }} as baseline_usd
    from trailing_days
    group by workspace_id, usage_date
),

deviations as (
    select
        trailing_days.workspace_id,
        trailing_days.usage_date,
        {{ percentile_cont_money('abs(trailing_days.history_spend_usd - baselines.baseline_usd)', 0.5) }} as mad_usd,
        sum(abs(trailing_days.history_spend_usd - baselines.baseline_usd)) as absolute_deviation_sum_usd
    from trailing_days
    inner join baselines
        on trailing_days.workspace_id = baselines.workspace_id and trailing_days.usage_date = baselines.usage_date
    group by trailing_days.workspace_id, trailing_days.usage_date
),

scored as (
    select
        daily.usage_date,
        daily.workspace_id,
        daily.spend_usd,
        coalesce(baselines.history_days, 0) as history_days,
        baselines.baseline_usd::decimal(38, 18) as baseline_usd,
        deviations.mad_usd::decimal(38, 18) as mad_usd,
        {{ divide_money('deviations.absolute_deviation_sum_usd', 'baselines.history_days') }}
            as mean_absolute_deviation_usd
    from daily
    left join baselines on daily.workspace_id = baselines.workspace_id and daily.usage_date = baselines.usage_date
    left join deviations
        on daily.workspace_id = deviations.workspace_id and daily.usage_date = deviations.usage_date
),

with_z as (
    select
        *,
        case
            when mad_usd > 0 then (spend_usd - baseline_usd)::double / (1.4826 * mad_usd::double)
            when mean_absolute_deviation_usd > 0
                then (spend_usd - baseline_usd)::double / (1.2533 * mean_absolute_deviation_usd::double)
        end as robust_z_score
    from scored
),

final as (
    select
        usage_date,
        workspace_id,
        spend_usd,
        baseline_usd,
        (spend_usd - baseline_usd)::decimal(38, 18) as deviation_usd,
        mad_usd,
        mean_absolute_deviation_usd,
        robust_z_score,
        history_days::bigint as history_days,
        coalesce(
            history_days >= {{ min_history_days }}
            and abs(robust_z_score) > {{ z_threshold }}
            and greatest(spend_usd, baseline_usd) >= {{ min_spend_usd }},
            false
        ) as is_anomaly,
        case
            when robust_z_score > 0 then 'spike'
            when robust_z_score < 0 then 'drop'
        end as deviation_direction
    from with_z
)

select * from final
