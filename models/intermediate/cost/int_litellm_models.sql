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
    select
        *,
        {{ strip_model_name_prefixes('lower(llm_id)') }} as name_without_prefixes
    from fallback
),

normalised as (
    select
        *,
        {{ strip_model_name_suffixes('name_without_prefixes') }} as name_normalised
    from name_forms
),

final as (
    select
        normalised.llm_id,
        normalised.price_id,
        normalised.litellm_key,
        normalised.litellm_provider,
        normalised.provider,
        normalised.mode,
        normalised.context_window,
        normalised.max_output_tokens,
        normalised.supports_prompt_cache,
        normalised.supports_reasoning,
        normalised.supports_vision,
        normalised.deprecated_on,
        {{ price_rate_columns('normalised') }},
        normalised.source
    from normalised
    left join curated_names as as_reported
        on lower(normalised.llm_id) = as_reported.lookup_name
    left join curated_names as without_prefixes
        on normalised.name_without_prefixes = without_prefixes.lookup_name
    left join curated_names as without_suffixes
        on normalised.name_normalised = without_suffixes.lookup_name
    where
        as_reported.llm_id is null
        and without_prefixes.llm_id is null
        and without_suffixes.llm_id is null
)

select * from final
