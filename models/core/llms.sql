-- The LLM catalog: the curated models, then the LiteLLM fallback models (int_llm_catalog).
with

catalog as (
    select * from {{ ref('int_llm_catalog') }}
),

final as (
    select
        llm_id,
        provider,
        display_name,
        family,
        context_window::integer as context_window,
        max_output_tokens::integer as max_output_tokens,
        supports_prompt_cache::boolean as supports_prompt_cache,
        supports_reasoning::boolean as supports_reasoning,
        supports_vision::boolean as supports_vision,
        is_active::boolean as is_active,
        released_on::date as released_on,
        litellm_key,
        price_source
    from catalog
)

select * from final
