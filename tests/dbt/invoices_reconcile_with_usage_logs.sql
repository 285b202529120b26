-- Invoices equal usage: per workspace, the usage and adjustment charges on all its invoices add up to the cost
-- of its priced calls in usage_logs (a late call is billed once, in some period, never lost or doubled), and
-- per workspace x UTC month of the calls, billing_events carry exactly the cost usage_logs has for that month.
-- Returns the offending rows.
with

usage as (
    select * from {{ ref('usage_logs') }}
),

billing_events as (
    select * from {{ ref('billing_events') }}
),

invoices as (
    select * from {{ ref('invoices') }}
),

invoice_lines as (
    select * from {{ ref('invoice_lines') }}
),

usage_by_workspace as (
    select
        workspace_id,
        sum(cost_usd) as usage_cost_usd
    from usage
    where cost_usd is not null
    group by workspace_id
),

invoiced_by_workspace as (
    select
        invoices.workspace_id,
        sum(invoice_lines.amount_usd) as invoiced_usd
    from invoices
    inner join invoice_lines on invoices.invoice_id = invoice_lines.invoice_id
    where invoice_lines.event_type in ('usage', 'adjustment')
    group by invoices.workspace_id
),

workspace_mismatches as (
    select
        'workspace' as level,
        coalesce(usage_by_workspace.workspace_id, invoiced_by_workspace.workspace_id) as workspace_id,
        null::date as service_period,
        usage_by_workspace.usage_cost_usd,
        invoiced_by_workspace.invoiced_usd as billed_usd
    from usage_by_workspace
    full outer join invoiced_by_workspace on usage_by_workspace.workspace_id = invoiced_by_workspace.workspace_id
    where usage_by_workspace.usage_cost_usd is distinct from invoiced_by_workspace.invoiced_usd
),

usage_by_month as (
    select
        workspace_id,
        date_trunc('month', occurred_at)::date as service_period,
        sum(cost_usd) as usage_cost_usd
    from usage
    where cost_usd is not null
    group by workspace_id, date_trunc('month', occurred_at)::date
),

billed_by_month as (
    select
        workspace_id,
        service_period,
        sum(amount_usd) as billed_usd
    from billing_events
    where event_type in ('usage', 'adjustment')
    group by workspace_id, service_period
),

month_mismatches as (
    select
        'service_month' as level,
        coalesce(usage_by_month.workspace_id, billed_by_month.workspace_id) as workspace_id,
        coalesce(usage_by_month.service_period, billed_by_month.service_period) as service_period,
        usage_by_month.usage_cost_usd,
        billed_by_month.billed_usd
    from usage_by_month
    full outer join billed_by_month
        on
            usage_by_month.workspace_id = billed_by_month.workspace_id
            and usage_by_month.service_period = billed_by_month.service_period
    where usage_by_month.usage_cost_usd is distinct from billed_by_month.billed_usd
),

final as (
    select * from workspace_mismatches
    union all
    select * from month_mismatches
)

select * from final
