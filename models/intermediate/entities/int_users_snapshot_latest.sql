-- Latest snapshot per user (latest ingested_at wins; then the later load and line).
with

user_snapshots as (
    select * from {{ ref('stg_raw__users') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by user_id
            order by ingested_at desc, load_id desc, source_line desc
        ) as snapshot_rank
    from user_snapshots
),

final as (
    select
        user_id,
        workspace_id,
        display_name,
        created_at,
        ingested_at
    from ranked
    where snapshot_rank = 1
)

select * from final
