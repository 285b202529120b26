{#- Cost marts rolled up from a finer day-sliced cost mart (models/marts/cost/: cost_daily_by_user and
    cost_daily_local from cost_hourly, cost_daily_user_totals and the two local-day totals from those): the same
    cost measures summed over fewer keys, so the dashboard reads fewer rows. Sliced as the source: the slices it
    rebuilt with newer rows (macros/incremental.sql). With `timezone_moves`, for a
    source by workspace-local day that carries each workspace's timezone: a new workspace snapshot with another
    timezone moves that workspace's rows to other local dates without newer lineage, so the roll-up also re-opens
    every local date the moved workspaces had in it (rows to delete) and have in the source today (rows to insert);
    such a model declares `-- depends_on: {{ ref('workspaces') }}` (the ref is rendered on incremental runs only).

    In a model:
        {{ config(materialized='incremental', **day_slice_config('usage_date')) }}
        {{ cost_roll_up(ref('cost_daily_by_user'), 'usage_date', ['workspace_id', 'user_id']) }}
-#}
{% macro cost_roll_up(source, slice_column, keys, timezone_moves=false) -%}
with

touched_slices as (
    {{ slices_changed_in(source, slice_column, 'last_ingested_at') }}
    {%- if timezone_moves and is_incremental() %}
        union
        select distinct previous.{{ slice_column }} as slice_date
        from {{ this }} as previous
        inner join {{ ref('workspaces') }} as moved on previous.workspace_id = moved.workspace_id
        where previous.timezone <> moved.timezone
        union
        select distinct now_in.{{ slice_column }} as slice_date
        from {{ source }} as now_in
        inner join (select distinct workspace_id, timezone from {{ this }}) as previous
            on now_in.workspace_id = previous.workspace_id
        where previous.timezone <> now_in.timezone
    {%- endif %}
),

source_rows as (
    select * from {{ source }}
    where {{ in_touched_slices(slice_column) }}
),

rolled_up as (
    select
        {{ slice_column }},
        {{ keys | join(', ') }},
        {{ rolled_up_cost_measures() }}
    from source_rows
    group by {{ slice_column }}, {{ keys | join(', ') }}
),

final as (
    select
        {{ slice_column }},
        {{ keys | join(', ') }},
        {{ cost_measure_columns() }}
    from rolled_up
)

select * from final
{%- endmacro %}
