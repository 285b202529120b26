-- The LiteLLM fallback price source (seeds/litellm_prices.csv, written from the shipped LiteLLM catalog by
-- `synapscale prices litellm-fallback`): one row per model the curated seeds do not know. A LiteLLM model whose
-- llm_id the curated names resolve, in any of the three forms a raw name is looked up in (docs/cost.md, rule 1),
-- IS that curated model: it is left out, so the curated catalog always wins.
with

fallback as (
    select * from {{ ref('litellm_prices') }}
),

curated_names as (
    {{ curated_model_name_lookup() }}
),

name_forms as (
    {{ model_name_forms('fallback', 'llm_id') }}
),

curated_matches as (
    {{ match_model_name_forms('name_forms', 'curated_names') }}
),

final as (
    select
        curated_matches.llm_id,
        curated_matches.price_id,
        curated_matches.litellm_key,
        curated_matches.litellm_provider,
        curated_matches.provider,
        curated_matches.mode,
        curated_matches.context_window,
        curated_matches.max_output_tokens,
        curated_matches.supports_prompt_cache,
        curated_matches.supports_reasoning,
        curated_matches.supports_vision,
        curated_matches.deprecated_on,
        {{ price_rate_columns('curated_matches') }},
        curated_matches.source
    from curated_matches
    where curated_matches.matched_llm_id is null
)

select * from final
