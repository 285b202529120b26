with

usage as (
    select * from {{ ref('usage_logs') }}
),

workspace_snapshots as (
    select * from {{ ref('int_workspaces_snapshot_latest') }}
),

user_snapshots as (
    select * from {{ ref('int_users_snapshot_latest') }}
),

usage_activity as (
    {{ call_activity('usage', 'workspace_id') }}
),

known_workspaces as (
    select workspace_id from usage_activity
    union
    select workspace_id from workspace_snapshots
    union
    select workspace_id from user_snapshots
    where workspace_id is not null
),

final as (
    select
        known_workspaces.workspace_id::{{ type_varchar() }} as workspace_id,
        workspace_snapshots.workspace_name::{{ type_varchar() }} as workspace_name,
        workspace_snapshots.plan::{{ type_varchar() }} as plan,
        workspace_snapshots.monthly_budget_usd::decimal(18, 2) as monthly_budget_usd,
        coalesce(nullif(workspace_snapshots.timezone, ''), 'UTC')::{{ type_varchar() }} as timezone,
        workspace_snapshots.created_at::{{ type_timestamptz() }} as created_at,
        {{ call_activity_columns('usage_activity') }},
        (workspace_snapshots.workspace_id is not null) as has_snapshot
    from known_workspaces
    left join workspace_snapshots on known_workspaces.workspace_id = workspace_snapshots.workspace_id
    left join usage_activity on known_workspaces.workspace_id = usage_activity.workspace_id
)

select * from final
