-- The long-context tier classes: which of the distinct tier thresholds of llm_prices a prompt exceeds. The
-- thresholds are ordered, so the exceeded ones are always the lowest few: a class is named by the highest
-- threshold it exceeds (tier_floor_tokens; NULL = none) and holds the prompts with
-- tier_floor_tokens < input_tokens <= next_threshold_tokens. A call of class f is above a target's threshold T
-- (itself one of the thresholds) exactly when f >= T, so calls summed per class can be priced on any target at
-- the right tier (macros/cost.sql, tier_class_exceeds_threshold).
with

prices as (
    select * from {{ ref('llm_prices') }}
),

thresholds as (
    select distinct tier_threshold_tokens
    from prices
    where tier_threshold_tokens is not null
),

floors as (
    select null::bigint as tier_floor_tokens
    union all
    select tier_threshold_tokens as tier_floor_tokens from thresholds
),

final as (
    select
        tier_floor_tokens,
        lead(tier_floor_tokens) over (order by tier_floor_tokens nulls first) as next_threshold_tokens,
        -- non-NULL bounds for the range join (input_tokens is never negative or above 2^63 - 1)
        coalesce(tier_floor_tokens, -1)::bigint as lower_bound_exclusive,
        coalesce(
            lead(tier_floor_tokens) over (order by tier_floor_tokens nulls first), 9223372036854775807
        )::bigint as upper_bound_inclusive
    from floors
)

select * from final
