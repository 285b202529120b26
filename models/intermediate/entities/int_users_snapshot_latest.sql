-- Latest snapshot per user (latest ingested_at wins; then the later load and line).
with

user_snapshots as (
    select * from {{ ref('stg_raw__users') }}
),

latest as (
    select * from user_snapshots
    qualify {{ is_latest_snapshot('user_id') }}
),

final as (
    select
        user_id,
        workspace_id,
        display_name,
        created_at,
        ingested_at
    from latest
)

select * from final
