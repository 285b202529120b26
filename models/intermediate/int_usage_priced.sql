-- STUB (interface only): the cost engine replaces this body. Columns and types are the contract
-- core.usage_logs and the marts build on.
with

usage as (
    select * from {{ ref('stg_raw__usage_events') }}
),

llms as (
    select * from {{ ref('llm_catalog') }}
),

final as (
    select
        usage.*,
        llms.llm_id,
        llms.llm_id is not null as is_model_resolved,
        null::varchar as price_id,
        (usage.input_tokens - usage.cache_read_input_tokens - usage.cache_creation_input_tokens)::bigint
            as uncached_input_tokens,
        usage.cache_read_input_tokens as cache_read_tokens,
        usage.cache_creation_input_tokens as cache_write_tokens,
        (usage.output_tokens - usage.reasoning_output_tokens)::bigint as visible_output_tokens,
        usage.reasoning_output_tokens as reasoning_tokens,
        false as is_long_context_tier,
        null::decimal(38, 18) as uncached_input_cost_usd,
        null::decimal(38, 18) as cache_read_cost_usd,
        null::decimal(38, 18) as cache_write_cost_usd,
        null::decimal(38, 18) as visible_output_cost_usd,
        null::decimal(38, 18) as reasoning_cost_usd,
        null::decimal(38, 18) as computed_cost_usd,
        usage.provider_cost_usd as cost_usd,
        case when usage.provider_cost_usd is not null then 'provider_reported' else 'unpriced' end as cost_status,
        case when usage.provider_cost_usd is null then 'no_price' end as unpriced_reason
    from usage
    left join llms on usage.model_raw = llms.llm_id
)

select * from final
