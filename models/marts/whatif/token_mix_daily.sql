{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- The token mix of every UTC day x workspace x source model, cut at price changes and long-context tier
-- classes so that it can be repriced on any model exactly (whatif_repricing_daily): within one price epoch
-- and one tier class, every target prices each call at the same rates, and costs are linear in tokens.
-- Incremental by UTC day (macros/incremental.sql): the days of the repriceable calls loaded since the last run.
{%- set repriceable_call = 'input_tokens is not null and output_tokens is not null and not '
    ~ has_negative_token_bucket() %}
{#- The columns it groups by, written once for the group by and the final select. -#}
{%- set grain = ['usage_date', 'workspace_id', 'model', 'llm_id', 'price_epoch_start_at', 'tier_floor_tokens'] %}
with

{{ sliced_source('usage', ref('usage_logs'), slices_of_new_calls(repriceable_call)) }},

epochs as (
    select * from {{ ref('int_price_epochs') }}
),

tier_classes as (
    select * from {{ ref('int_tier_classes') }}
),

-- Calls whose token counts can be priced at all (the cost engine's missing_token_counts and
-- invalid_token_counts calls cannot be repriced either).
repriceable as (
    select * from usage
    where {{ repriceable_call }}
),

classified as (
    select
        repriceable.*,
        epochs.epoch_start_at as price_epoch_start_at,
        tier_classes.tier_floor_tokens
    from repriceable
    -- open ends as +-infinity: two non-NULL bounds make this a fast range join
    inner join epochs
        on
            repriceable.occurred_at >= coalesce(epochs.epoch_start_at, {{ timestamp_min() }})
            and repriceable.occurred_at < coalesce(epochs.epoch_end_at, {{ timestamp_max() }})
    inner join tier_classes
        on
            repriceable.input_tokens > tier_classes.lower_bound_exclusive
            and repriceable.input_tokens <= tier_classes.upper_bound_inclusive
),

mixed as (
    select
        {{ grain | join(', ') }},
        count(*) as calls,
        count(*) filter (where cost_status = 'unpriced') as unpriced_calls,
        max(input_tokens + output_tokens) as max_call_tokens,
        max(ingested_at) as last_ingested_at,
        {{ summed_bucket_measures() }}
    from classified
    group by {{ grain | join(', ') }}
),

final as (
    select
        {{ surrogate_key([
            as_text('usage_date'), 'workspace_id', 'model', "coalesce(" ~ timestamp_text('price_epoch_start_at') ~ ", 'none')",
            "coalesce(" ~ as_text('tier_floor_tokens') ~ ", 'none')"
        ]) }} as token_mix_id,
        {{ grain | join(', ') }},
        calls::bigint as calls,
        unpriced_calls::bigint as unpriced_calls,
        max_call_tokens::bigint as max_call_tokens,
        {{ token_cost_columns() }},
        last_ingested_at
    from mixed
)

select * from final
