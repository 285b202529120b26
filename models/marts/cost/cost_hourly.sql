{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Spend per UTC hour x workspace-local date x workspace x user x model x provider: the finest cost grain.
-- The local date is part of the grain because a UTC hour can straddle a workspace's midnight (Asia/Kolkata is
-- UTC+05:30, Asia/Kathmandu +05:45), so any workspace's own days sum exactly from these rows.
-- Incremental by UTC day (macros/incremental.sql): the days of calls loaded since the last run are rebuilt
-- whole; so are every day of a workspace whose timezone changed (its local dates move).
{#- The columns it groups by, written once for the group by and the final select. -#}
{% set grain = [
    'usage_hour', 'usage_date', 'local_date', 'timezone', 'workspace_id', 'user_id', 'model', 'provider'
] %}
with

workspaces as (
    select * from {{ ref('workspaces') }}
),

touched_slices as (
    {{ slices_loaded_after(ref('usage_logs'), 'usage_date', 'ingested_at', 'last_ingested_at') }}
    {% if is_incremental() %}
        union
        select distinct previous.usage_date as slice_date
        from {{ this }} as previous
        inner join workspaces on previous.workspace_id = workspaces.workspace_id
        where previous.timezone <> workspaces.timezone
    {% endif %}
),

usage as (
    select * from {{ ref('usage_logs') }}
    where {{ in_touched_slices('usage_date') }}
),

calls_with_local_date as (
    select
        usage.*,
        workspaces.timezone,
        {{ local_date('usage.occurred_at', 'workspaces.timezone') }} as local_date
    from usage
    inner join workspaces on usage.workspace_id = workspaces.workspace_id
),

hourly as (
    select
        {{ grain | join(', ') }},
        {{ call_cost_measures() }}
    from calls_with_local_date
    group by {{ grain | join(', ') }}
),

final as (
    select
        {{ surrogate_key([
            timestamp_text('usage_hour'), as_text('local_date'), 'workspace_id', 'user_id', 'model', 'provider'
        ]) }} as cost_hourly_id,
        {{ grain | join(', ') }},
        {{ cost_measure_columns() }}
    from hourly
)

select * from final
