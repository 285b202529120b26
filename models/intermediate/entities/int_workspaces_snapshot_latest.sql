-- Latest snapshot per workspace (latest ingested_at wins; then the later load and line).
with

workspace_snapshots as (
    select * from {{ ref('stg_raw__workspaces') }}
),

latest as (
    select * from workspace_snapshots
    qualify {{ is_latest_snapshot('workspace_id') }}
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
    from latest
)

select * from final
