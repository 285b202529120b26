-- Invoice lines: workspace x billing period x model x event type, unrounded sums (DECIMAL(38,18)).
-- Rounding to cents happens once, on the invoice (marts.invoices), never per line.
with

billing_events as (
    select * from {{ ref('billing_events') }}
),

lines as (
    select
        workspace_id,
        billing_period,
        coalesce(model, 'none') as model,
        event_type,
        count(*) as billing_events,
        min(service_period) as first_service_period,
        max(service_period) as last_service_period,
        sum(amount_usd) as amount_usd
    from billing_events
    group by workspace_id, billing_period, coalesce(model, 'none'), event_type
),

final as (
    select
        {{ surrogate_key(['workspace_id', as_text('billing_period'), 'model', 'event_type']) }} as invoice_line_id,
        {{ surrogate_key(['workspace_id', as_text('billing_period')]) }} as invoice_id,
        workspace_id,
        billing_period,
        model,
        event_type,
        billing_events::bigint as billing_events,
        first_service_period,
        last_service_period,
        amount_usd::decimal(38, 18) as amount_usd,
        {{ is_billing_period_closed('billing_period') }} as is_period_closed
    from lines
)

select * from final
