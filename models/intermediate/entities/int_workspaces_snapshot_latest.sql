-- Latest snapshot per workspace (latest ingested_at wins; then the later load and line).
with

workspace_snapshots as (
    select * from {{ ref('stg_raw__workspaces') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by workspace_id
            order by ingested_at desc, load_id desc, source_line desc
        ) as snapshot_rank
    from workspace_snapshots
),

final as (
    select
        workspace_id,
        workspace_name,
        plan,
        monthly_budget_usd,
        timezone,
        created_at,
        ingested_at
    from ranked
    where snapshot_rank = 1
)

select * from final
