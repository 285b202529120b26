-- The what-if ranking's input: per UTC day x workspace x target model, whatif_repricing_daily summed over the
-- source models, only the rows the target repriced whole (is_fully_repriced), so ranking every target over a
-- range reads ~15x fewer rows. Exact DECIMAL sums. Every (day, workspace, target) of the source has a row, with
-- calls = 0 when the target priced no source model whole that day.
-- Incremental by UTC day: the days whatif_repricing_daily rebuilt since the last run.
{{ config(materialized='incremental', **day_slice_config('usage_date')) }}
with

{{ sliced_source('repricing', ref('whatif_repricing_daily')) }},

daily as (
    select
        usage_date,
        workspace_id,
        target_llm_id,
        max(target_provider) as target_provider,
        max(target_display_name) as target_display_name,
        count(*) filter (where is_fully_repriced) as source_models,
        coalesce(sum(calls) filter (where is_fully_repriced), 0) as calls,
        coalesce(sum(calls) filter (where not is_fully_repriced), 0) as left_out_calls,
        coalesce(sum(actual_cost_usd) filter (where is_fully_repriced), 0) as actual_cost_usd,
        coalesce(sum(repriced_cost_usd) filter (where is_fully_repriced), 0) as repriced_cost_usd,
        coalesce(sum(saving_usd) filter (where is_fully_repriced), 0) as saving_usd,
        max(last_ingested_at) as last_ingested_at
    from repricing
    group by usage_date, workspace_id, target_llm_id
),

final as (
    select
        {{ surrogate_key([as_text('usage_date'), 'workspace_id', 'target_llm_id']) }} as whatif_target_id,
        usage_date,
        workspace_id,
        target_llm_id,
        target_provider,
        target_display_name,
        source_models::bigint as source_models,
        calls::bigint as calls,
        left_out_calls::bigint as left_out_calls,
        actual_cost_usd::decimal(38, 18) as actual_cost_usd,
        repriced_cost_usd::decimal(38, 18) as repriced_cost_usd,
        saving_usd::decimal(38, 18) as saving_usd,
        last_ingested_at
    from daily
)

select * from final
