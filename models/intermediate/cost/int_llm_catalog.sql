-- Every model a call can resolve to: the curated catalog (seeds/llm_catalog.csv), then the LiteLLM fallback
-- models (int_litellm_models), with the source of their prices (price_source). Feeds core.llms.
-- No model reads the clock (docs/operations.md#when-a-run-skips-dbt): a LiteLLM model is active when its
-- deprecation date is after the newest call's day, the day every mart's "now" is.
with

curated as (
    select * from {{ ref('llm_catalog') }}
),

litellm as (
    select * from {{ ref('int_litellm_models') }}
),

data_day as (
    select max({{ utc_date('occurred_at') }}) as newest_call_date
    from {{ ref('stg_raw__usage_events') }}
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
        -- LiteLLM's deprecation date, compared with the newest call's day (UTC); active in an empty warehouse
        coalesce(litellm.deprecated_on > data_day.newest_call_date, true) as is_active,
        null::date as released_on,
        litellm_key,
        'litellm' as price_source
    from litellm
    cross join data_day
)

select * from final
