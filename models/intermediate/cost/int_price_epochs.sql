-- The price epochs: the intervals between consecutive price changes of ANY model (every effective_from and
-- effective_to of llm_prices is a boundary). Within one epoch every model's price row is constant, so calls
-- summed per epoch can be repriced on any target model exactly (docs/cost.md, "Repricing a token mix").
-- The first epoch (before any price, no model priced in it) has no start, the last one no end.
with

prices as (
    select * from {{ ref('llm_prices') }}
),

boundaries as (
    select effective_from as boundary_at from prices
    union
    select effective_to as boundary_at from prices
    where effective_to is not null
),

starts as (
    select null::{{ type_timestamptz() }} as epoch_start_at
    union all
    select boundary_at as epoch_start_at from boundaries
),

final as (
    select
        epoch_start_at,
        lead(epoch_start_at) over (order by epoch_start_at nulls first) as epoch_end_at
    from starts
)

select * from final
