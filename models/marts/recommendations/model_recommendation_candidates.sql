-- Every alternative model for every workspace x model of the recent window, with each rule of the
-- recommendation checked on its own (macros/recommendations.sql): traffic, feedback evidence on both sides,
-- quality within the tolerance, context window, price coverage and a positive saving, the saving repriced at
-- the workspace's own token mix through the cost engine (whatif_repricing_daily).
{%- set s = recommendation_settings() %}
with

usage as (
    select * from {{ ref('usage_logs') }}
),

feedback as (
    select * from {{ ref('message_feedbacks') }}
),

mix as (
    select * from {{ ref('token_mix_daily') }}
),

repricing as (
    select * from {{ ref('whatif_repricing_daily') }}
),

llms as (
    select * from {{ ref('llms') }}
),

windows as (
    select
        max(usage_date) as window_end_date,
        {{ window_start_date('max(usage_date)', s.window_days) }} as window_start_date,
        {{ window_start_date('max(usage_date)', s.quality_window_days) }} as quality_window_start_date
    from usage
),

source_traffic as (
    select
        mix.workspace_id,
        mix.model as source_model,
        mix.llm_id as source_llm_id,
        sum(mix.calls) as window_calls,
        max(mix.max_call_tokens) as max_call_tokens,
        sum(mix.cost_usd) as window_actual_cost_usd
    from mix
    cross join windows
    where mix.usage_date between windows.window_start_date and windows.window_end_date
    group by mix.workspace_id, mix.model, mix.llm_id
),

target_costs as (
    select
        repricing.workspace_id,
        repricing.source_model,
        repricing.target_llm_id,
        sum(repricing.calls) as repriced_calls,
        sum(repricing.repriced_cost_usd) as window_repriced_cost_usd
    from repricing
    cross join windows
    where
        repricing.usage_date between windows.window_start_date and windows.window_end_date
        and not repricing.is_same_model
    group by repricing.workspace_id, repricing.source_model, repricing.target_llm_id
),

-- Quality per model key over the feedback window, all workspaces pooled: thumbs and ratings in [0, 1].
scored_feedback as (
    select
        usage.model,
        feedback.kind,
        {{ feedback_quality_score('feedback.kind', 'feedback.score') }} as quality_score
    from feedback
    inner join usage on feedback.message_id = usage.message_id
    cross join windows
    where
        feedback.kind in ('thumbs', 'rating')
        and feedback.score is not null
        and usage.usage_date between windows.quality_window_start_date and windows.window_end_date
),

model_quality as (
    select
        model,
        count(*) as feedback_count,
        count(*) filter (where kind = 'thumbs') as thumbs_count,
        count(*) filter (where kind = 'rating') as rating_count,
        avg(quality_score) as quality_score
    from scored_feedback
    group by model
),

model_quality_bounds as (
    select
        *,
        {{ wilson_bound('quality_score', 'feedback_count', s.wilson_z, 'lower') }} as quality_lower_bound,
        {{ wilson_bound('quality_score', 'feedback_count', s.wilson_z, 'upper') }} as quality_upper_bound
    from model_quality
),

candidates as (
    select
        source_traffic.*,
        target_costs.target_llm_id,
        llms.display_name as target_display_name,
        llms.context_window as target_context_window,
        coalesce(llms.is_active, false) as is_target_active,
        target_costs.repriced_calls,
        target_costs.window_repriced_cost_usd,
        coalesce(source_quality.feedback_count, 0) as source_feedback_count,
        source_quality.quality_score as source_quality_score,
        source_quality.quality_lower_bound as source_quality_lower_bound,
        source_quality.quality_upper_bound as source_quality_upper_bound,
        coalesce(target_quality.feedback_count, 0) as target_feedback_count,
        coalesce(target_quality.thumbs_count, 0) as target_thumbs_count,
        coalesce(target_quality.rating_count, 0) as target_rating_count,
        target_quality.quality_score as target_quality_score,
        target_quality.quality_lower_bound as target_quality_lower_bound,
        target_quality.quality_upper_bound as target_quality_upper_bound
    from source_traffic
    inner join target_costs
        on
            source_traffic.workspace_id = target_costs.workspace_id
            and source_traffic.source_model = target_costs.source_model
    left join llms on target_costs.target_llm_id = llms.llm_id
    left join model_quality_bounds as source_quality on source_traffic.source_model = source_quality.model
    left join model_quality_bounds as target_quality on target_costs.target_llm_id = target_quality.model
),

checked as (
    select
        *,
        (window_actual_cost_usd - window_repriced_cost_usd)::decimal(38, 18) as window_saving_usd,
        window_calls >= {{ s.min_calls }} as has_enough_traffic,
        source_feedback_count >= {{ s.min_feedback }} as has_source_evidence,
        target_feedback_count >= {{ s.min_feedback }} as has_target_evidence,
        coalesce(
            target_quality_lower_bound >= source_quality_score - {{ s.quality_tolerance }}, false
        ) as is_quality_not_worse,
        coalesce(target_context_window >= max_call_tokens, false) as fits_context_window,
        repriced_calls = window_calls as is_fully_repriced,
        window_repriced_cost_usd < window_actual_cost_usd as is_cheaper
    from candidates
),

ranked as (
    select
        *,
        (
            has_enough_traffic and has_source_evidence and has_target_evidence and is_quality_not_worse
            and fits_context_window and is_fully_repriced and is_cheaper and is_target_active
        ) as is_eligible
    from checked
),

final as (
    select
        {{ surrogate_key(['ranked.workspace_id', 'ranked.source_model', 'ranked.target_llm_id']) }}
            as recommendation_candidate_id,
        ranked.workspace_id,
        ranked.source_model,
        ranked.source_llm_id,
        ranked.target_llm_id,
        ranked.target_display_name,
        windows.window_start_date,
        windows.window_end_date,
        windows.quality_window_start_date,
        ranked.window_calls::bigint as window_calls,
        ranked.repriced_calls::bigint as repriced_calls,
        ranked.max_call_tokens::bigint as max_call_tokens,
        ranked.target_context_window,
        ranked.window_actual_cost_usd::decimal(38, 18) as window_actual_cost_usd,
        ranked.window_repriced_cost_usd::decimal(38, 18) as window_repriced_cost_usd,
        ranked.window_saving_usd,
        {{ scaled_usd_estimate('ranked.window_saving_usd', s.month_days, s.window_days) }} as monthly_saving_usd,
        case
            when ranked.window_actual_cost_usd > 0
                then round(ranked.window_saving_usd::double / ranked.window_actual_cost_usd::double * 100, 2)
        end as saving_pct,
        ranked.source_feedback_count::bigint as source_feedback_count,
        ranked.source_quality_score,
        ranked.source_quality_lower_bound,
        ranked.source_quality_upper_bound,
        ranked.target_feedback_count::bigint as target_feedback_count,
        ranked.target_thumbs_count::bigint as target_thumbs_count,
        ranked.target_rating_count::bigint as target_rating_count,
        ranked.target_quality_score,
        ranked.target_quality_lower_bound,
        ranked.target_quality_upper_bound,
        ranked.has_enough_traffic,
        ranked.has_source_evidence,
        ranked.has_target_evidence,
        ranked.is_quality_not_worse,
        ranked.fits_context_window,
        ranked.is_fully_repriced,
        ranked.is_cheaper,
        ranked.is_target_active,
        ranked.is_eligible,
        coalesce(
            ranked.is_eligible and row_number() over (
                partition by ranked.workspace_id, ranked.source_model
                order by ranked.is_eligible desc, ranked.window_repriced_cost_usd asc, ranked.target_llm_id asc
            ) = 1,
            false
        ) as is_recommended
    from ranked
    cross join windows
)

select * from final
