with

priced as (
    select * from {{ ref('int_usage_priced') }}
),

final as (
    select
        event_id,
        occurred_at,
        workspace_id,
        user_id,
        conversation_id,
        message_id,
        provider,
        model_raw,
        llm_id,
        is_model_resolved,
        operation,
        status,
        error_type,
        finish_reason,
        is_streaming,
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        visible_output_tokens,
        reasoning_tokens,
        latency_ms,
        time_to_first_token_ms,
        price_id,
        is_long_context_tier,
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        visible_output_cost_usd,
        reasoning_cost_usd,
        computed_cost_usd,
        provider_cost_usd,
        cost_usd,
        cost_status,
        unpriced_reason,
        tags,
        load_id,
        ingested_at
    from priced
)

select * from final
