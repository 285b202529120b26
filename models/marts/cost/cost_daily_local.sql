{{ config(materialized='incremental', **day_slice_config('local_date')) }}

-- Spend per workspace-local day x workspace x user x model x provider: each workspace's own midnight (its
-- IANA timezone in core.workspaces, DST included), summed exactly from cost_hourly, which carries the local
-- date of every call. Incremental by local date: the local dates of the hourly rows rebuilt since the last
-- run, plus every local date (old and new) of a workspace whose timezone changed.
with

workspaces as (
    select * from {{ ref('workspaces') }}
),

hourly_all as (
    select * from {{ ref('cost_hourly') }}
),

-- Workspaces whose timezone changed since this mart was built: their rows move to other local dates.
moved_workspaces as (
    {% if is_incremental() %}
        select distinct previous.workspace_id
        from {{ this }} as previous
        inner join workspaces on previous.workspace_id = workspaces.workspace_id
        where previous.timezone <> workspaces.timezone
    {% else %}
        select null::{{ type_varchar() }} as workspace_id
        where false
    {% endif %}
),

touched_slices as (
    {{ slices_changed_in(ref('cost_hourly'), 'local_date', 'last_ingested_at') }}
    {% if is_incremental() %}
        union
        select distinct previous.local_date as slice_date
        from {{ this }} as previous
        inner join moved_workspaces on previous.workspace_id = moved_workspaces.workspace_id
        union
        select distinct hourly_all.local_date as slice_date
        from hourly_all
        inner join moved_workspaces on hourly_all.workspace_id = moved_workspaces.workspace_id
    {% endif %}
),

hourly as (
    select * from hourly_all
    where {{ in_touched_slices('local_date') }}
),

daily as (
    select
        local_date,
        timezone,
        workspace_id,
        user_id,
        model,
        provider,
        {{ rolled_up_cost_measures() }}
    from hourly
    group by local_date, timezone, workspace_id, user_id, model, provider
),

final as (
    select
        local_date,
        timezone,
        workspace_id,
        user_id,
        model,
        provider,
        {{ cost_measure_columns() }}
    from daily
)

select * from final
