-- Every model a call can resolve to: the curated catalog (seeds/llm_catalog.csv), then the LiteLLM fallback
-- models (int_litellm_models), with the source of their prices (price_source). Feeds core.llms.
with

curated as (
    select * from {{ ref('llm_catalog') }}
),

litellm as (
    select * from {{ ref('int_litellm_models') }}
),

final as (
    select
        llm_id,
        provider,
        display_name,
        family,
        context_window,
        max_output_tokens,
        supports_prompt_cache,
        supports_reasoning,
        supports_vision,
        is_active,
        released_on,
        litellm_key,
        'curated' as price_source
    from curated
    union all
    select
        llm_id,
        provider,
        litellm_key as display_name,
        null as family,
        context_window,
        max_output_tokens,
        supports_prompt_cache,
        supports_reasoning,
        supports_vision,
        -- LiteLLM's deprecation date, compared with the day of the build (UTC)
        coalesce(deprecated_on > {{ utc_date('current_timestamp') }}, true) as is_active,
        null::date as released_on,
        litellm_key,
        'litellm' as price_source
    from litellm
)

select * from final
