-- Latest snapshot per user (latest ingested_at wins; then the later load and line).
with

latest as (
    {{ latest_snapshots(ref('stg_raw__users'), 'user_id') }}
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
