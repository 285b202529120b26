with

usage as (
    select * from {{ ref('usage_logs') }}
),

user_snapshots as (
    select * from {{ ref('int_users_snapshot_latest') }}
),

feedback as (
    select * from {{ ref('int_feedback_latest') }}
),

latest_calls as (
    -- the workspace of the user's most recent call, for users without a snapshot
    select
        user_id,
        {{ last_by('workspace_id', ['occurred_at', 'event_id']) }} as latest_call_workspace_id
    from usage
    group by user_id
),

usage_activity as (
    {{ call_activity('usage', 'user_id') }}
),

known_users as (
    select user_id from usage_activity
    union
    select user_id from user_snapshots
    union
    select user_id from feedback
    where user_id is not null
),

final as (
    select
        known_users.user_id::{{ type_varchar() }} as user_id,
        coalesce(user_snapshots.workspace_id, latest_calls.latest_call_workspace_id)::{{ type_varchar() }}
            as workspace_id,
        user_snapshots.display_name::{{ type_varchar() }} as display_name,
        user_snapshots.created_at::{{ type_timestamptz() }} as created_at,
        {{ call_activity_columns('usage_activity') }},
        (user_snapshots.user_id is not null) as has_snapshot
    from known_users
    left join user_snapshots on known_users.user_id = user_snapshots.user_id
    left join usage_activity on known_users.user_id = usage_activity.user_id
    left join latest_calls on known_users.user_id = latest_calls.user_id
)

select * from final
