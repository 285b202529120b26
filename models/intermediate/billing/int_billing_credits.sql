-- Credits (negative amounts granted to a workspace for a billing period). No credit source exists yet: this
-- model fixes the shape core.billing_events unions in, so a future seed or raw table only has to replace
-- the `source_credits` CTE (credit_id, workspace_id, credit_period, amount_usd < 0, reason, granted_at).
with

source_credits as (
    select
        null::varchar as credit_id,
        null::varchar as workspace_id,
        null::date as credit_period,
        null::decimal(38, 18) as amount_usd,
        null::varchar as reason,
        null::timestamptz as granted_at
    where false
),

final as (
    select
        credit_id,
        workspace_id,
        credit_period,
        amount_usd,
        reason,
        granted_at,
        {{ closed_billing_period() }} as closed_billing_period,
        coalesce(credit_period <= {{ closed_billing_period() }}, false) as is_credit_period_closed,
        ({{ closed_billing_period() }} + interval 1 month)::date as first_open_period
    from source_credits
)

select * from final
