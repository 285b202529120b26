{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=new_keys_incremental_strategy(),
        on_schema_change='fail'
    )
}}

-- Incremental by load time, not event time: a run takes every call ingested at or after the newest
-- ingested_at already here whose event_id is not here yet, so late events (any occurred_at) are picked up.
-- int_usage_priced has one row per event_id, its first-ingested version (int_usage_events_deduplicated), so a
-- run keeps exactly the version a full refresh would choose, and a re-sent id already here is skipped.
with

priced as (
    select * from {{ ref('int_usage_priced') }}
),

already_loaded as (
    {% if is_incremental() %}
        select
            event_id,
            ingested_at
        from {{ this }}
    {% else %}
        select
            null::{{ type_varchar() }} as event_id,
            null::{{ type_timestamptz() }} as ingested_at
        where false
    {% endif %}
),

new_rows as (
    select priced.*
    from priced
    left join already_loaded on priced.event_id = already_loaded.event_id
    where
        already_loaded.event_id is null
        and priced.ingested_at >= (
            select coalesce(max(loaded.ingested_at), {{ timestamp_min() }}) from already_loaded as loaded
        )
),

final as (
    select
        event_id,
        occurred_at,
        usage_hour,
        usage_date,
        workspace_id,
        user_id,
        conversation_id,
        message_id,
        provider,
        model_raw,
        llm_id,
        model,
        is_model_resolved,
        operation,
        status,
        error_type,
        finish_reason,
        is_streaming,
        input_tokens,
        output_tokens,
        {{ bucket_columns('_tokens') }},
        latency_ms,
        time_to_first_token_ms,
        price_id,
        is_long_context_tier,
        {{ bucket_columns('_cost_usd') }},
        computed_cost_usd,
        provider_cost_usd,
        cost_usd,
        cost_status,
        unpriced_reason,
        tags,
        load_id,
        ingested_at,
        applied_input_usd_per_1m,
        applied_output_usd_per_1m,
        applied_cache_read_usd_per_1m,
        applied_cache_write_usd_per_1m,
        applied_reasoning_usd_per_1m
    from new_rows
)

select * from final
