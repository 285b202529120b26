-- One candidate usage charge per priced call (cost_usd not null): amount = cost_usd, service period = UTC month
-- of occurred_at, and whether that period is closed (var closed_billing_period) with the first open period a
-- late charge moves to. core.billing_events decides, on the run a charge first appears, which period bills it.
with

usage as (
    select * from {{ ref('usage_logs') }}
),

priced_calls as (
    select * from usage
    where cost_usd is not null
),

periods as (
    select
        *,
        date_trunc('month', occurred_at)::date as service_period,
        {{ closed_billing_period() }} as closed_billing_period
    from priced_calls
),

final as (
    select
        event_id,
        message_id,
        user_id,
        workspace_id,
        llm_id,
        coalesce(llm_id, 'unresolved:' || model_raw) as model,
        cost_usd::decimal(38, 18) as amount_usd,
        occurred_at,
        ingested_at,
        service_period,
        closed_billing_period,
        coalesce(service_period <= closed_billing_period, false) as is_service_period_closed,
        (closed_billing_period + interval 1 month)::date as first_open_period
    from periods
)

select * from final
