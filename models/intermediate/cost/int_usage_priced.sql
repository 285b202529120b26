-- One row per LLM call (event_id, de-duplicated upstream) with its model key, tokens in exclusive buckets, the
-- price row in force at occurred_at, the cost of each bucket and the call's cost with its status.
-- Cost rules: docs/cost.md, macros/cost.sql.
with

usage as (
    select * from {{ ref('int_usage_events_deduplicated') }}
),

model_names as (
    select * from {{ ref('int_model_names_resolved') }}
),

prices as (
    select * from {{ ref('llm_prices') }}
),

resolved as (
    select
        usage.*,
        model_names.llm_id,
        model_names.model,
        coalesce(model_names.is_model_resolved, false) as is_model_resolved,
        model_names.model_normalised,
        model_names.model_resolution_step
    from usage
    left join model_names
        on usage.model_raw = model_names.model_raw
),

-- Token totals are inclusive (OpenTelemetry GenAI): split them into buckets that do not overlap.
bucketed as (
    select
        *,
        (input_tokens - cache_read_input_tokens - cache_creation_input_tokens)::bigint as uncached_input_tokens,
        cache_read_input_tokens as cache_read_tokens,
        cache_creation_input_tokens as cache_write_tokens,
        (output_tokens - reasoning_output_tokens)::bigint as visible_output_tokens,
        reasoning_output_tokens as reasoning_tokens
    from resolved
),

-- The price row in force at occurred_at: effective_from <= occurred_at < effective_to (NULL = open).
price_matched as (
    select
        bucketed.*,
        prices.price_id,
        prices.input_usd_per_1m,
        prices.output_usd_per_1m,
        prices.cache_read_usd_per_1m,
        prices.cache_write_usd_per_1m,
        prices.reasoning_usd_per_1m,
        prices.tier_threshold_tokens,
        prices.tier_input_usd_per_1m,
        prices.tier_output_usd_per_1m,
        prices.tier_cache_read_usd_per_1m,
        prices.tier_cache_write_usd_per_1m
    from bucketed
    left join prices
        on
            bucketed.llm_id = prices.llm_id
            and bucketed.occurred_at >= prices.effective_from
            and (prices.effective_to is null or bucketed.occurred_at < prices.effective_to)
    -- overlapping rows are a seed error (tests/dbt/llm_prices_do_not_overlap.sql); never duplicate a call
    qualify row_number() over (partition by bucketed.event_id order by prices.effective_from desc) = 1
),

-- Why a computed cost cannot exist; NULL when it can.
checked as (
    select
        *,
        case
            when llm_id is null then 'unknown_model'
            when price_id is null then 'no_price_in_force'
            when input_tokens is null or output_tokens is null then 'missing_token_counts'
            when
                uncached_input_tokens < 0 or visible_output_tokens < 0
                or cache_read_tokens < 0 or cache_write_tokens < 0 or reasoning_tokens < 0
                then 'invalid_token_counts'
        end as computed_unpriced_reason
    from price_matched
),

-- A prompt strictly above the tier threshold prices the WHOLE call at the tier rates.
tiered as (
    select
        *,
        coalesce(
            computed_unpriced_reason is null and input_tokens > tier_threshold_tokens, false
        ) as is_long_context_tier
    from checked
),

-- Rates applied to each bucket (NULL when the call cannot be computed, so every bucket cost is NULL too).
rated as (
    select
        *,
        case
            when computed_unpriced_reason is not null then null
            when is_long_context_tier then coalesce(tier_input_usd_per_1m, input_usd_per_1m)
            else input_usd_per_1m
        end as applied_input_usd_per_1m,
        case
            when computed_unpriced_reason is not null then null
            when is_long_context_tier then coalesce(tier_output_usd_per_1m, output_usd_per_1m)
            else output_usd_per_1m
        end as applied_output_usd_per_1m
    from tiered
),

-- Fallbacks: missing cache rates -> the input rate, missing reasoning rate -> the output rate.
rated_buckets as (
    select
        *,
        case
            when is_long_context_tier then coalesce(tier_cache_read_usd_per_1m, applied_input_usd_per_1m)
            else coalesce(cache_read_usd_per_1m, applied_input_usd_per_1m)
        end as applied_cache_read_usd_per_1m,
        case
            when is_long_context_tier then coalesce(tier_cache_write_usd_per_1m, applied_input_usd_per_1m)
            else coalesce(cache_write_usd_per_1m, applied_input_usd_per_1m)
        end as applied_cache_write_usd_per_1m,
        case
            when is_long_context_tier then applied_output_usd_per_1m
            else coalesce(reasoning_usd_per_1m, applied_output_usd_per_1m)
        end as applied_reasoning_usd_per_1m
    from rated
),

costed as (
    select
        *,
        {{ bucket_cost_usd('uncached_input_tokens', 'applied_input_usd_per_1m') }} as uncached_input_cost_usd,
        {{ bucket_cost_usd('cache_read_tokens', 'applied_cache_read_usd_per_1m') }} as cache_read_cost_usd,
        {{ bucket_cost_usd('cache_write_tokens', 'applied_cache_write_usd_per_1m') }} as cache_write_cost_usd,
        {{ bucket_cost_usd('visible_output_tokens', 'applied_output_usd_per_1m') }} as visible_output_cost_usd,
        {{ bucket_cost_usd('reasoning_tokens', 'applied_reasoning_usd_per_1m') }} as reasoning_cost_usd
    from rated_buckets
),

totalled as (
    select
        *,
        (
            uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd
            + visible_output_cost_usd + reasoning_cost_usd
        )::decimal(38, 18) as computed_cost_usd
    from costed
),

-- Precedence: provider-reported cost > computed cost > unpriced (NULL, never 0).
final as (
    select
        -- the call as staged
        event_id,
        workspace_id,
        user_id,
        conversation_id,
        message_id,
        provider,
        model_raw,
        operation,
        input_tokens,
        output_tokens,
        cache_read_input_tokens,
        cache_creation_input_tokens,
        reasoning_output_tokens,
        latency_ms,
        time_to_first_token_ms,
        status,
        error_type,
        finish_reason,
        is_streaming,
        provider_cost_usd,
        tags,
        metadata,
        occurred_at,
        usage_hour,
        usage_date,
        load_id,
        source_file,
        source_line,
        ingested_at,
        -- model and price row
        llm_id,
        model,
        is_model_resolved,
        price_id,
        -- exclusive token buckets
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        visible_output_tokens,
        reasoning_tokens,
        is_long_context_tier,
        -- cost
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        visible_output_cost_usd,
        reasoning_cost_usd,
        computed_cost_usd,
        coalesce(provider_cost_usd, computed_cost_usd)::decimal(38, 18) as cost_usd,
        case
            when provider_cost_usd is not null then 'provider_reported'
            when computed_cost_usd is not null then 'computed'
            else 'unpriced'
        end as cost_status,
        case when provider_cost_usd is null then computed_unpriced_reason end as unpriced_reason,
        -- added by the cost engine (after the stub's contract columns)
        model_normalised,
        model_resolution_step,
        computed_unpriced_reason,
        applied_input_usd_per_1m::decimal(20, 12) as applied_input_usd_per_1m,
        applied_output_usd_per_1m::decimal(20, 12) as applied_output_usd_per_1m,
        applied_cache_read_usd_per_1m::decimal(20, 12) as applied_cache_read_usd_per_1m,
        applied_cache_write_usd_per_1m::decimal(20, 12) as applied_cache_write_usd_per_1m,
        applied_reasoning_usd_per_1m::decimal(20, 12) as applied_reasoning_usd_per_1m
    from totalled
)

select * from final
