-- Each invoice's rounded figures come from its lines' unrounded sums (rounded once, half-even), never from
-- rounded lines. Returns the offending invoices.
with

invoices as (
    select * from {{ ref('invoices') }}
),

invoice_lines as (
    select * from {{ ref('invoice_lines') }}
),

line_sums as (
    select
        invoice_id,
        {{ round_half_even("coalesce(sum(amount_usd) filter (where event_type = 'usage'), 0)", 2) }} as usage_usd,
        {{ round_half_even("coalesce(sum(amount_usd) filter (where event_type = 'adjustment'), 0)", 2) }}
            as adjustment_usd,
        {{ round_half_even("coalesce(sum(amount_usd) filter (where event_type = 'credit'), 0)", 2) }} as credit_usd,
        {{ round_half_even("sum(amount_usd)", 2) }} as total_usd
    from invoice_lines
    group by invoice_id
),

final as (
    select
        invoices.invoice_id,
        invoices.usage_usd,
        line_sums.usage_usd as expected_usage_usd,
        invoices.adjustment_usd,
        line_sums.adjustment_usd as expected_adjustment_usd,
        invoices.credit_usd,
        line_sums.credit_usd as expected_credit_usd,
        invoices.total_usd,
        line_sums.total_usd as expected_total_usd
    from invoices
    left join line_sums on invoices.invoice_id = line_sums.invoice_id
    where
        invoices.usage_usd is distinct from line_sums.usage_usd
        or invoices.adjustment_usd is distinct from line_sums.adjustment_usd
        or invoices.credit_usd is distinct from line_sums.credit_usd
        or invoices.total_usd is distinct from line_sums.total_usd
)

select * from final
