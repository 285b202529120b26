-- One invoice per workspace x billing period. Totals are summed unrounded from the lines and rounded to cents
-- once, half-even (banker's rounding), here; each rounded figure is rounded from its own unrounded sum.
with

lines as (
    select * from {{ ref('invoice_lines') }}
),

workspaces as (
    select * from {{ ref('workspaces') }}
),

totals as (
    select
        invoice_id,
        workspace_id,
        billing_period,
        sum(amount_usd) filter (where event_type = 'usage') as usage_unrounded_usd,
        sum(amount_usd) filter (where event_type = 'adjustment') as adjustment_unrounded_usd,
        sum(amount_usd) filter (where event_type = 'credit') as credit_unrounded_usd,
        sum(amount_usd) as total_unrounded_usd,
        count(*) as lines,
        sum(billing_events) as billing_events,
        bool_and(is_period_closed) as is_period_closed
    from lines
    group by invoice_id, workspace_id, billing_period
),

final as (
    select
        totals.invoice_id,
        totals.workspace_id,
        workspaces.workspace_name,
        totals.billing_period,
        (totals.billing_period + interval 1 month - interval 1 day)::date as billing_period_end_date,
        {{ round_half_even("coalesce(totals.usage_unrounded_usd, 0)", 2) }}::decimal(18, 2) as usage_usd,
        {{ round_half_even("coalesce(totals.adjustment_unrounded_usd, 0)", 2) }}::decimal(18, 2) as adjustment_usd,
        {{ round_half_even("coalesce(totals.credit_unrounded_usd, 0)", 2) }}::decimal(18, 2) as credit_usd,
        {{ round_half_even("totals.total_unrounded_usd", 2) }}::decimal(18, 2) as total_usd,
        totals.total_unrounded_usd::decimal(38, 18) as total_unrounded_usd,
        totals.lines::bigint as lines,
        totals.billing_events::bigint as billing_events,
        totals.is_period_closed
    from totals
    left join workspaces on totals.workspace_id = workspaces.workspace_id
)

select * from final
