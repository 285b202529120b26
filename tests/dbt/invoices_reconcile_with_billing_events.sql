-- Every invoice equals its billing events: the unrounded total is their exact sum, total_usd is that sum
-- rounded half-even to cents once, and every (workspace, period) with billing events has an invoice.
-- Returns the offending (workspace, period) rows.
with

billing_events as (
    select * from {{ ref('billing_events') }}
),

invoices as (
    select * from {{ ref('invoices') }}
),

billed as (
    select
        workspace_id,
        billing_period,
        sum(amount_usd) as billed_unrounded_usd
    from billing_events
    group by workspace_id, billing_period
),

compared as (
    select
        coalesce(billed.workspace_id, invoices.workspace_id) as workspace_id,
        coalesce(billed.billing_period, invoices.billing_period) as billing_period,
        billed.billed_unrounded_usd,
        invoices.total_unrounded_usd,
        invoices.total_usd,
        {{ round_half_even("billed.billed_unrounded_usd", 2) }} as expected_total_usd
    from billed
    full outer join invoices
        on
            billed.workspace_id = invoices.workspace_id
            and billed.billing_period = invoices.billing_period
),

final as (
    select * from compared
    where
        billed_unrounded_usd is distinct from total_unrounded_usd
        or total_usd is distinct from expected_total_usd
)

select * from final
