{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Spend per UTC day x workspace x user x model x provider, rolled up from cost_hourly: the per-user grain of
-- cost_daily (additive), which user_spend_monthly and the trend marts aggregate.
with

touched_slices as (
    {{ slices_changed_in(ref('cost_hourly'), 'usage_date', 'last_ingested_at') }}
),

hourly as (
    select * from {{ ref('cost_hourly') }}
    where {{ in_touched_slices('usage_date') }}
),

daily as (
    select
        usage_date,
        workspace_id,
        user_id,
        model,
        provider,
        {{ rolled_up_cost_measures() }}
    from hourly
    group by usage_date, workspace_id, user_id, model, provider
),

final as (
    select
        usage_date,
        workspace_id,
        user_id,
        model,
        provider,
        {{ cost_measure_columns() }}
    from daily
)

select * from final
