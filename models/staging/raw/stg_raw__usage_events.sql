with

source as (
    select * from {{ source('raw', 'usage_events') }}
),

renamed as (
    select
        -- ids
        event_id,
        workspace_id,
        user_id,
        conversation_id,
        message_id,
        -- model
        lower(trim(provider)) as provider,
        trim(model) as model_raw,
        coalesce(lower(trim(operation)), 'chat') as operation,
        -- tokens (inclusive totals, as reported)
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        coalesce(cache_read_input_tokens, 0)::bigint as cache_read_input_tokens,
        coalesce(cache_creation_input_tokens, 0)::bigint as cache_creation_input_tokens,
        coalesce(cache_creation_1h_input_tokens, 0)::bigint as cache_creation_1h_input_tokens,
        coalesce(reasoning_output_tokens, 0)::bigint as reasoning_output_tokens,
        -- performance
        latency_ms::double as latency_ms,
        time_to_first_token_ms::double as time_to_first_token_ms,
        coalesce(lower(trim(status)), 'success') as status,
        error_type,
        finish_reason,
        is_streaming,
        -- money
        provider_cost_usd::decimal(38, 18) as provider_cost_usd,
        -- attribution
        tags,
        metadata,
        -- timestamps and lineage
        occurred_at::{{ type_timestamptz() }} as occurred_at,
        {{ raw_lineage_columns() }}
    from source
)

select * from renamed
