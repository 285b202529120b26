-- Credits (negative amounts granted to a workspace for a billing period). No credit source exists yet: this
-- model fixes the shape core.billing_events unions in (which also decides the period that bills each credit),
-- so a future seed or raw table only has to replace the `source_credits` CTE.
with

source_credits as (
    select
        null::{{ type_varchar() }} as credit_id,
        null::{{ type_varchar() }} as workspace_id,
        null::date as credit_period,
        null::decimal(38, 18) as amount_usd,
        null::{{ type_varchar() }} as reason,
        null::{{ type_timestamptz() }} as granted_at
    where false
),

final as (
    select
        credit_id,
        workspace_id,
        credit_period,
        amount_usd,
        reason,
        granted_at
    from source_credits
)

select * from final
