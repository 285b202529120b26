-- Price rows of one model must not overlap in time (and must not be empty): returns the offending pairs.
with

prices as (
    select * from {{ ref('llm_prices') }}
),

overlapping_rows as (
    select
        earlier.price_id as earlier_price_id,
        later.price_id as later_price_id
    from prices as earlier
    inner join prices as later
        on
            earlier.llm_id = later.llm_id
            and earlier.price_id <> later.price_id
            and earlier.effective_from <= later.effective_from
            and (earlier.effective_to is null or earlier.effective_to > later.effective_from)
),

empty_periods as (
    select
        price_id as earlier_price_id,
        null as later_price_id
    from prices
    where effective_to is not null and effective_to <= effective_from
),

final as (
    select * from overlapping_rows
    union all
    select * from empty_periods
)

select * from final
