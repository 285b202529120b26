-- Each workspace's budget as effective-dated periods of whole UTC months, the precedence applied once here:
-- a row of the operator's seed (workspace_budgets) is in force from its month until the workspace's next seed
-- row and wins over the snapshot; before a workspace's first seed row, the latest snapshot's
-- monthly_budget_usd applies (the snapshot has no history: its current value stands for every earlier month).
-- A seed row with an empty budget is a period of "no budget".
with

overrides as (
    select * from {{ ref('workspace_budgets') }}
),

snapshots as (
    select * from {{ ref('int_workspaces_snapshot_latest') }}
),

seed_periods as (
    select
        workspace_id,
        effective_from,
        lead(effective_from) over (partition by workspace_id order by effective_from) as effective_to,
        monthly_budget_usd,
        'seed' as budget_source,
        note as budget_note
    from overrides
),

first_overrides as (
    select
        workspace_id,
        min(effective_from) as first_override_from
    from overrides
    group by workspace_id
),

snapshot_periods as (
    select
        snapshots.workspace_id,
        null::date as effective_from,
        first_overrides.first_override_from as effective_to,
        snapshots.monthly_budget_usd,
        'workspace_snapshot' as budget_source,
        null::{{ type_varchar() }} as budget_note
    from snapshots
    left join first_overrides on snapshots.workspace_id = first_overrides.workspace_id
    where snapshots.monthly_budget_usd is not null
),

periods as (
    select * from seed_periods
    union all
    select * from snapshot_periods
),

final as (
    select
        {{ surrogate_key(['workspace_id', "coalesce(" ~ as_text('effective_from') ~ ", 'start')"]) }}
            as budget_period_id,
        workspace_id,
        effective_from,
        effective_to,
        monthly_budget_usd::decimal(18, 2) as monthly_budget_usd,
        budget_source,
        budget_note
    from periods
)

select * from final
