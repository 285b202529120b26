{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Spend per UTC day x workspace x model x provider, rolled up from cost_hourly: tag-free and additive (sum it
-- over any columns). Incremental by UTC day: the days cost_hourly rebuilt since the last run.
{#- The columns it groups by, written once for the group by and the final select. -#}
{% set grain = ['usage_date', 'workspace_id', 'model', 'provider'] %}
with

{{ sliced_source('hourly', ref('cost_hourly')) }},

daily as (
    select
        {{ grain | join(', ') }},
        count(distinct user_id) as active_users,
        {{ rolled_up_cost_measures() }}
    from hourly
    group by {{ grain | join(', ') }}
),

final as (
    select
        {{ surrogate_key([as_text('usage_date'), 'workspace_id', 'model', 'provider']) }} as cost_daily_id,
        {{ grain | join(', ') }},
        active_users::bigint as active_users,
        {{ cost_measure_columns() }}
    from daily
)

select * from final
