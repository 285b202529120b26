-- The last closed billing period, as data: zero rows while nothing is closed, else one row. Finance closes a
-- month with `synapscale billing close` (raw.billing_period_closures); that month and every earlier one are
-- closed. macros/billing_periods.sql reads this, so the pipeline and a plain `dbt build` bill alike.
with

closures as (
    select * from {{ ref('stg_raw__billing_period_closures') }}
),

final as (
    select
        max(billing_period) as last_closed_period,
        max(closed_at) as closed_at
    from closures
    having count(*) > 0
)

select * from final
