-- Every price row a call can be priced with, and where it comes from (price_source): the curated,
-- effective-dated rows of seeds/llm_prices.csv, then one row per LiteLLM fallback model (int_litellm_models),
-- which applies at any time (the shipped catalog is one snapshot without history). llm_ids never overlap: a
-- LiteLLM model the curated names resolve is left out of int_litellm_models.
with

curated as (
    select * from {{ ref('llm_prices') }}
),

litellm as (
    select * from {{ ref('int_litellm_models') }}
),

final as (
    select
        curated.price_id,
        curated.llm_id,
        curated.provider,
        curated.effective_from,
        curated.effective_to,
        {{ price_rate_columns('curated') }},
        'curated' as price_source
    from curated
    union all
    select
        litellm.price_id,
        litellm.llm_id,
        litellm.provider,
        {{ timestamp_min() }} as effective_from,
        null::{{ type_timestamptz() }} as effective_to,
        {{ price_rate_columns('litellm') }},
        'litellm' as price_source
    from litellm
)

select * from final
