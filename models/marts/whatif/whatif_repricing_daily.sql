-- What the same token mix would have cost on every priced model: each UTC day x workspace x source model x
-- target model, the source's actual cost and the cost of its tokens at the target's list price in force, per
-- bucket, through the cost engine's own macros (never a ratio of list prices). Exact: token_mix_daily is cut at
-- price changes and tier classes, so pricing its sums equals summing per-call prices.
-- Incremental by UTC day: the days token_mix_daily rebuilt since the last run.
{{ config(materialized='incremental', **day_slice_config('usage_date')) }}
with

{{ sliced_source('mix', ref('token_mix_daily')) }},

prices as (
    select * from {{ ref('llm_prices') }}
),

llms as (
    select * from {{ ref('llms') }}
),

-- Every target with a price row in force throughout the epoch (epochs never straddle a price change; calls
-- before any price, epoch start NULL, match none).
target_priced as (
    select
        mix.*,
        prices.llm_id as target_llm_id,
        prices.price_id as target_price_id,
        {{ price_rate_columns('prices', 'target_') }}
    from mix
    inner join prices
        on
            mix.price_epoch_start_at >= prices.effective_from
            and (prices.effective_to is null or mix.price_epoch_start_at < prices.effective_to)
),

tiered as (
    select
        *,
        {{ tier_class_exceeds_threshold('tier_floor_tokens', 'target_tier_threshold_tokens') }}
            as is_target_long_context_tier
    from target_priced
),

rated as (
    select
        *,
        {{ applied_rates('target_', 'is_target_long_context_tier') }}
    from tiered
),

repriced as (
    select
        *,
        {{ priced_buckets(cost_prefix='repriced_') }}
    from rated
),

daily as (
    select
        usage_date,
        workspace_id,
        model as source_model,
        llm_id as source_llm_id,
        target_llm_id,
        max(target_price_id) as target_price_id,
        sum(calls) as calls,
        sum(unpriced_calls) as unpriced_calls,
        sum(case when is_target_long_context_tier then calls else 0 end) as target_long_context_tier_calls,
        max(last_ingested_at) as last_ingested_at,
        {{ summed_bucket_measures() }},
        {%- for bucket in cost_buckets() %}
            sum(repriced_{{ bucket.name }}_cost_usd)::decimal(38, 18) as repriced_{{ bucket.name }}_cost_usd,
        {%- endfor %}
        sum({{ total_bucket_cost('repriced_') }})::decimal(38, 18) as repriced_cost_usd
    from repriced
    group by usage_date, workspace_id, model, llm_id, target_llm_id
),

source_days as (
    select
        usage_date,
        workspace_id,
        model as source_model,
        sum(calls) as source_day_calls
    from mix
    group by usage_date, workspace_id, model
),

final as (
    select
        {{ surrogate_key([
            as_text('daily.usage_date'), 'daily.workspace_id', 'daily.source_model', 'daily.target_llm_id'
        ]) }} as whatif_repricing_id,
        daily.usage_date,
        daily.workspace_id,
        daily.source_model,
        daily.source_llm_id,
        daily.target_llm_id,
        llms.provider as target_provider,
        llms.display_name as target_display_name,
        daily.target_price_id,
        coalesce(daily.source_llm_id = daily.target_llm_id, false) as is_same_model,
        daily.calls::bigint as calls,
        source_days.source_day_calls::bigint as source_day_calls,
        (daily.calls = source_days.source_day_calls) as is_fully_repriced,
        daily.unpriced_calls::bigint as unpriced_calls,
        daily.target_long_context_tier_calls::bigint as target_long_context_tier_calls,
        daily.input_tokens::bigint as input_tokens,
        daily.output_tokens::bigint as output_tokens,
        {%- for bucket in cost_buckets() %}
            daily.{{ bucket.name }}_tokens::bigint as {{ bucket.name }}_tokens,
        {%- endfor %}
        {%- for bucket in cost_buckets() %}
            daily.{{ bucket.name }}_cost_usd as actual_{{ bucket.name }}_cost_usd,
        {%- endfor %}
        daily.cost_usd as actual_cost_usd,
        {%- for bucket in cost_buckets() %}
            daily.repriced_{{ bucket.name }}_cost_usd,
        {%- endfor %}
        daily.repriced_cost_usd,
        (daily.cost_usd - daily.repriced_cost_usd)::decimal(38, 18) as saving_usd,
        daily.last_ingested_at
    from daily
    inner join source_days
        on
            daily.usage_date = source_days.usage_date
            and daily.workspace_id = source_days.workspace_id
            and daily.source_model = source_days.source_model
    left join llms on daily.target_llm_id = llms.llm_id
)

select * from final
