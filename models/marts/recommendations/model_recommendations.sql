-- One row per workspace x model with enough traffic in the window: the cheapest alternative whose quality is
-- not worse (model_recommendation_candidates, is_recommended), or none, with the evidence and a reason a
-- person can read.
{%- set s = recommendation_settings() %}
with

candidates as (
    select * from {{ ref('model_recommendation_candidates') }}
),

workspaces as (
    select * from {{ ref('workspaces') }}
),

sources as (
    select
        workspace_id,
        source_model,
        max(source_llm_id) as source_llm_id,
        max(window_start_date) as window_start_date,
        max(window_end_date) as window_end_date,
        max(quality_window_start_date) as quality_window_start_date,
        max(window_calls) as window_calls,
        max(window_actual_cost_usd) as window_actual_cost_usd,
        max(source_feedback_count) as source_feedback_count,
        max(source_quality_score) as source_quality_score,
        max(source_quality_lower_bound) as source_quality_lower_bound,
        max(source_quality_upper_bound) as source_quality_upper_bound,
        count(*) filter (where is_cheaper and is_fully_repriced and fits_context_window and is_target_active)
            as cheaper_alternatives,
        count(*) filter (where is_eligible) as eligible_alternatives
    from candidates
    where has_enough_traffic
    group by workspace_id, source_model
),

recommended as (
    select * from candidates
    where is_recommended
),

joined as (
    select
        sources.*,
        workspaces.workspace_name,
        recommended.target_llm_id as recommended_llm_id,
        recommended.target_display_name as recommended_display_name,
        recommended.window_repriced_cost_usd,
        recommended.window_saving_usd,
        recommended.monthly_saving_usd,
        recommended.saving_pct,
        recommended.target_feedback_count as recommended_feedback_count,
        recommended.target_quality_score as recommended_quality_score,
        recommended.target_quality_lower_bound as recommended_quality_lower_bound,
        recommended.target_quality_upper_bound as recommended_quality_upper_bound
    from sources
    left join recommended
        on sources.workspace_id = recommended.workspace_id and sources.source_model = recommended.source_model
    left join workspaces on sources.workspace_id = workspaces.workspace_id
),

explained as (
    select
        *,
        case
            when recommended_llm_id is not null
                then
                    'Switch ' || source_model || ' to ' || recommended_llm_id || ': about '
                    || {{ format_usd('monthly_saving_usd') }} || ' a month saved ('
                    || {{ format_fixed('saving_pct', 0) }} || '% of ' || {{ format_usd('window_actual_cost_usd') }}
                    || ' over ' || {{ format_count('window_calls') }} || ' calls, '
                    || {{ format_datetime('window_start_date', '%Y-%m-%d') }} || ' to '
                    || {{ format_datetime('window_end_date', '%Y-%m-%d') }} || ', repriced at this token mix); quality '
                    || {{ format_fixed('recommended_quality_score', 2) }} || ' (lower bound '
                    || {{ format_fixed('recommended_quality_lower_bound', 2) }} || ', '
                    || {{ format_count('recommended_feedback_count') }} || ' feedback) vs '
                    || {{ format_fixed('source_quality_score', 2) }} || ' ('
                    || {{ format_count('source_feedback_count') }} || ' feedback), within the '
                    || {{ format_fixed(s.quality_tolerance, 2) }} || ' tolerance.'
            when source_feedback_count < {{ s.min_feedback }}
                then
                    'No recommendation: ' || source_model || ' has ' || {{ format_count('source_feedback_count') }}
                    || ' scored feedback since ' || {{ format_datetime('quality_window_start_date', '%Y-%m-%d') }}
                    || ', {{ s.min_feedback }} are needed to compare quality.'
            when cheaper_alternatives = 0
                then
                    'No recommendation: no active model that fits these calls is cheaper than ' || source_model
                    || ' at this token mix.'
            else
                'No recommendation: ' || {{ format_count('cheaper_alternatives') }} || ' cheaper model(s), but none'
                || ' with {{ s.min_feedback }}+ feedback and a quality lower bound within '
                || {{ format_fixed(s.quality_tolerance, 2) }} || ' of ' || source_model || ' ('
                || {{ format_fixed('source_quality_score', 2) }} || ').'
        end as reason
    from joined
),

final as (
    select
        {{ surrogate_key(['workspace_id', 'source_model']) }} as recommendation_id,
        workspace_id,
        workspace_name,
        source_model,
        source_llm_id,
        recommended_llm_id,
        recommended_display_name,
        (recommended_llm_id is not null) as has_recommendation,
        window_start_date,
        window_end_date,
        quality_window_start_date,
        window_calls::bigint as window_calls,
        window_actual_cost_usd::decimal(38, 18) as window_actual_cost_usd,
        window_repriced_cost_usd::decimal(38, 18) as window_repriced_cost_usd,
        window_saving_usd::decimal(38, 18) as window_saving_usd,
        monthly_saving_usd::decimal(38, 18) as monthly_saving_usd,
        saving_pct,
        source_feedback_count::bigint as source_feedback_count,
        source_quality_score,
        source_quality_lower_bound,
        source_quality_upper_bound,
        recommended_feedback_count::bigint as recommended_feedback_count,
        recommended_quality_score,
        recommended_quality_lower_bound,
        recommended_quality_upper_bound,
        cheaper_alternatives::bigint as cheaper_alternatives,
        eligible_alternatives::bigint as eligible_alternatives,
        reason
    from explained
)

select * from final
