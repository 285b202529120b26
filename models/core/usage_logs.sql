{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=new_keys_incremental_strategy(),
        on_schema_change='fail'
    )
}}

-- Incremental by load time, not event time: a run takes every call ingested strictly after the newest
-- ingested_at already here (each load is stamped with its commit time, and no load commits while dbt runs, so
-- every call at or before it was here at the last build) whose event_id is not here yet, so late events (any
-- occurred_at) are picked up. Only those calls are de-duplicated and priced (macros/usage.sql: the same rules
-- int_usage_priced applies to every call), so the run's cost follows the new data: the watermark is a literal
-- (loaded_watermark), and the raw files loaded before it are not read at all. A full build reads
-- int_usage_priced. Either way each event_id keeps its first-ingested version, so an incremental history
-- equals a full refresh, and a re-sent id already here is skipped.
-- depends_on: {{ ref('stg_raw__usage_events') }}, {{ ref('int_model_names_resolved') }}, {{ ref('int_llm_prices') }}
{%- set watermark = loaded_watermark('ingested_at') %}
with

priced as (
    {% if is_incremental() %}
        {%- set staged_since = ref('stg_raw__usage_events') ~ ' where ingested_at > ' ~ watermark %}
        {%- set staged = '(select * from ' ~ staged_since ~ ')' %}
        {{ priced_calls('(' ~ first_ingested_calls(staged) ~ ')') }}
    {% else %}
        select * from {{ ref('int_usage_priced') }}
    {% endif %}
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
        and priced.ingested_at > {{ watermark }}
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
        price_source,
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
        {{ applied_rate_columns() }}
    from new_rows
)

select * from final
