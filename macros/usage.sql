{#-
    One row per LLM call (event_id) from staged calls: the de-duplication rule, written once. A re-sent event
    with the same event_id is the same event, and its first-ingested copy wins (earliest ingested_at, then the
    earlier load and line). Ingest already skips re-sent ids, so this only matters should one slip through.
    int_usage_events_deduplicated applies it to every staged call; core.usage_logs, on an incremental run, to
    the calls loaded after its watermark (a re-sent copy of a call it holds is dropped there), so an
    incremental history keeps exactly the version a full refresh chooses.
    The call's UTC hour and day are computed once here: every model grouping calls by time reads these.
    Only the copies of an event_id that occurs more than once are ranked: a window over every call carries all
    its columns through a sort (12 of the 32 s of a 10M-call usage_logs), and ids are almost always unique, so
    finding the repeated ones (a group by on event_id alone) and passing the rest through costs about a second.
    `staged` is read three times: it must be a relation or a parenthesised query (not a CTE, which DuckDB would
    materialise whole).
-#}
{% macro first_ingested_calls(staged) %}
    with

    repeated_ids as (
        select event_id
        from {{ staged }} as staged
        group by event_id
        having count(*) > 1
    ),

    calls as (
        select staged.*
        from {{ staged }} as staged
        left join repeated_ids on staged.event_id = repeated_ids.event_id
        where repeated_ids.event_id is null
        union all
        select staged.*
        from {{ staged }} as staged
        inner join repeated_ids on staged.event_id = repeated_ids.event_id
        qualify row_number() over (
            partition by staged.event_id order by staged.ingested_at, staged.load_id, staged.source_line
        ) = 1
    )

    select
        *,
        {{ utc_hour('occurred_at') }} as usage_hour,
        {{ utc_date('occurred_at') }} as usage_date
    from calls
{% endmacro %}

{#-
    The cost engine over a set of calls (docs/cost.md; the rules' parts are in macros/cost.sql), written once:
    int_usage_priced prices every call of int_usage_events_deduplicated, core.usage_logs on an incremental run
    only the calls loaded since its watermark (so a run's cost follows the new data).
    `calls`: a relation or a parenthesised query with int_usage_events_deduplicated's columns; one row per call.
    One row per call out, with its model key, tokens in exclusive buckets, the price row in force at
    occurred_at, the cost of each bucket and the call's cost with its status.
-#}
{% macro priced_calls(calls) %}
with

usage as (
    select * from {{ calls }} as calls
),

model_names as (
    select * from {{ ref('int_model_names_resolved') }}
),

-- curated, effective-dated rows, then the LiteLLM fallback's (int_llm_prices, price_source). A row is in force
-- until its effective_to or the next row of its model starts, whichever is first, so no call can match two rows
-- and the join below needs no per-call ranking. Overlapping rows are a seed error
-- (tests/dbt/llm_prices_do_not_overlap.sql); should some slip through, the later row wins from its start on.
-- (Ranking the matches per call instead - row_number() over event_id - was 40 of the 68 s of pricing 10M calls.)
prices as (
    select
        *,
        least(
            effective_to,
            lead(effective_from) over (partition by llm_id order by effective_from, price_id)
        ) as in_force_until
    from {{ ref('int_llm_prices') }}
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
        {{ split_token_buckets() }}
    from resolved
),

-- The price row in force at occurred_at: effective_from <= occurred_at < effective_to (NULL = open).
price_matched as (
    select
        bucketed.*,
        prices.price_id,
        prices.price_source as price_row_source,
        {{ price_rate_columns('prices') }}
    from bucketed
    left join prices
        on
            bucketed.llm_id = prices.llm_id
            and bucketed.occurred_at >= prices.effective_from
            and (prices.in_force_until is null or bucketed.occurred_at < prices.in_force_until)
),

-- Why a computed cost cannot exist; NULL when it can.
checked as (
    select
        *,
        case
            when llm_id is null then 'unknown_model'
            when price_id is null then 'no_price_in_force'
            when input_tokens is null or output_tokens is null then 'missing_token_counts'
            when {{ has_negative_token_bucket() }} then 'invalid_token_counts'
        end as computed_unpriced_reason
    from price_matched
),

-- A prompt strictly above the tier threshold prices the WHOLE call at the tier rates.
tiered as (
    select
        *,
        (
            computed_unpriced_reason is null and {{ exceeds_tier_threshold('input_tokens', 'tier_threshold_tokens') }}
        ) as is_long_context_tier
    from checked
),

-- Rates applied to each bucket, with their fallbacks (macros/cost.sql, applied_rates): a required rate is
-- NULL when the call cannot be computed, so every bucket cost priced at it is NULL too.
rated as (
    select
        *,
        {{ applied_rates('', 'is_long_context_tier', 'computed_unpriced_reason is null') }}
    from tiered
),

costed as (
    select
        *,
        {{ priced_buckets() }}
    from rated
),

totalled as (
    select
        *,
        {{ total_bucket_cost() }} as computed_cost_usd
    from costed
),

-- Precedence: provider-reported cost > computed cost > unpriced (NULL, never 0).
final as (
    select
        -- the call as staged
        {{ staged_call_columns() | join(', ') }},
        -- model and price row
        llm_id,
        model,
        is_model_resolved,
        price_id,
        -- exclusive token buckets
        {{ bucket_columns('_tokens') }},
        is_long_context_tier,
        -- cost
        {{ bucket_columns('_cost_usd') }},
        computed_cost_usd,
        coalesce(provider_cost_usd, computed_cost_usd)::decimal(38, 18) as cost_usd,
        case
            when provider_cost_usd is not null then 'provider_reported'
            when computed_cost_usd is not null then 'computed'
            else 'unpriced'
        end as cost_status,
        case when provider_cost_usd is null then computed_unpriced_reason end as unpriced_reason,
        -- where cost_usd comes from: the provider's figure, or the price row's source (curated / litellm)
        case
            when provider_cost_usd is not null then 'provider_reported'
            when computed_cost_usd is not null then price_row_source
        end as price_source,
        -- added by the cost engine (after the stub's contract columns)
        model_normalised,
        model_resolution_step,
        computed_unpriced_reason,
        {{ applied_rate_columns() }}
    from totalled
)

select * from final
{% endmacro %}

{#- The columns of a staged call (stg_raw__usage_events) with its UTC hour and day (first_ingested_calls), in
    order: the head of priced_calls' rows (int_usage_priced). -#}
{% macro staged_call_columns() -%}
    {{ return([
        'event_id', 'workspace_id', 'user_id', 'conversation_id', 'message_id',
        'provider', 'model_raw', 'operation',
        'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens',
        'cache_creation_1h_input_tokens', 'reasoning_output_tokens',
        'latency_ms', 'time_to_first_token_ms', 'status', 'error_type', 'finish_reason', 'is_streaming',
        'provider_cost_usd', 'tags', 'metadata',
        'occurred_at', 'usage_hour', 'usage_date', 'load_id', 'source_file', 'source_line', 'ingested_at',
    ]) }}
{%- endmacro %}
