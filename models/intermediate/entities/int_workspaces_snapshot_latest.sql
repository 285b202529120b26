-- Latest snapshot per workspace (latest ingested_at wins; then the later load and line).
with

latest as (
    {{ latest_snapshots(ref('stg_raw__workspaces'), 'workspace_id') }}
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
