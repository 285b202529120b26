-- Churn risk per workspace: the recent window against the one before (relative to the data's last day) for
-- calls, spend, active users, model mix and feedback, days since the last call, a score in [0, 1] (the weighted
-- signals of macros/churn.sql) and the top signals as a sentence.
{%- set s = churn_settings() %}
{%- set w = s.weights %}
with

usage as (
    select * from {{ ref('usage_logs') }}
),

feedback as (
    select * from {{ ref('message_feedbacks') }}
),

workspaces as (
    select * from {{ ref('workspaces') }}
),

windows as (
    select
        max(usage_date) as data_end_date,
        {{ window_start_date('max(usage_date)', s.window_days) }} as recent_start_date,
        {{ window_start_date('max(usage_date)', 2 * s.window_days) }} as previous_start_date
    from usage
),

windowed_calls as (
    select
        usage.workspace_id,
        usage.user_id,
        usage.model,
        usage.message_id,
        usage.cost_usd,
        usage.usage_date >= windows.recent_start_date as is_recent
    from usage
    cross join windows
    where usage.usage_date >= windows.previous_start_date
),

activity as (
    select
        workspace_id,
        count(*) filter (where is_recent) as recent_calls,
        count(*) filter (where not is_recent) as previous_calls,
        coalesce(sum(cost_usd) filter (where is_recent), 0) as recent_spend_usd,
        coalesce(sum(cost_usd) filter (where not is_recent), 0) as previous_spend_usd,
        count(distinct case when is_recent then user_id end) as recent_active_users,
        count(distinct case when not is_recent then user_id end) as previous_active_users
    from windowed_calls
    group by workspace_id
),

last_calls as (
    select
        workspace_id,
        max(usage_date) as last_call_date
    from usage
    group by workspace_id
),

model_calls as (
    select
        workspace_id,
        model,
        count(*) filter (where is_recent) as recent_model_calls,
        count(*) filter (where not is_recent) as previous_model_calls
    from windowed_calls
    group by workspace_id, model
),

-- Total variation distance between the windows' shares of calls per model (0 = same mix, 1 = disjoint).
model_mix as (
    select
        model_calls.workspace_id,
        0.5 * sum(
            abs(
                model_calls.recent_model_calls::double / activity.recent_calls
                - model_calls.previous_model_calls::double / activity.previous_calls
            )
        ) as model_mix_shift
    from model_calls
    inner join activity on model_calls.workspace_id = activity.workspace_id
    where activity.recent_calls > 0 and activity.previous_calls > 0
    group by model_calls.workspace_id
),

feedback_quality as (
    select
        windowed_calls.workspace_id,
        count(*) filter (where windowed_calls.is_recent) as recent_feedback_count,
        count(*) filter (where not windowed_calls.is_recent) as previous_feedback_count,
        avg({{ feedback_quality_score('feedback.kind', 'feedback.score') }}) filter (where windowed_calls.is_recent)
            as recent_quality_score,
        avg({{ feedback_quality_score('feedback.kind', 'feedback.score') }}) filter (where not windowed_calls.is_recent)
            as previous_quality_score
    from feedback
    inner join windowed_calls on feedback.message_id = windowed_calls.message_id
    where feedback.kind in ('thumbs', 'rating') and feedback.score is not null
    group by windowed_calls.workspace_id
),

feedback_change as (
    select
        *,
        previous_quality_score - recent_quality_score as quality_drop
    from feedback_quality
),

signals as (
    select
        activity.*,
        last_calls.last_call_date,
        {{ days_between('last_calls.last_call_date', 'windows.data_end_date') }} as days_since_last_call,
        coalesce(feedback_quality.recent_feedback_count, 0) as recent_feedback_count,
        coalesce(feedback_quality.previous_feedback_count, 0) as previous_feedback_count,
        feedback_quality.recent_quality_score,
        feedback_quality.previous_quality_score,
        least(
            {{ days_between('last_calls.last_call_date', 'windows.data_end_date') }}::double / {{ s.window_days }}, 1.0
        ) as inactivity,
        {{ decline_ratio('activity.recent_calls', 'activity.previous_calls') }} as calls_decline,
        {{ decline_ratio('activity.recent_spend_usd', 'activity.previous_spend_usd') }} as spend_decline,
        {{ decline_ratio('activity.recent_active_users', 'activity.previous_active_users') }} as users_decline,
        coalesce(model_mix.model_mix_shift, 0.0) as model_mix_shift,
        case
            when
                feedback_quality.recent_feedback_count >= {{ s.min_feedback }}
                and feedback_quality.previous_feedback_count >= {{ s.min_feedback }}
                then least(greatest(feedback_quality.quality_drop / {{ s.quality_drop_for_full_signal }}, 0.0), 1.0)
            else 0.0
        end as feedback_decline
    from activity
    cross join windows
    inner join last_calls on activity.workspace_id = last_calls.workspace_id
    left join model_mix on activity.workspace_id = model_mix.workspace_id
    left join feedback_change as feedback_quality on activity.workspace_id = feedback_quality.workspace_id
),

scored as (
    select
        *,
        round(
            {%- for name, weight in w.items() %}
                {{ weight }} * {{ name }}{{ ' +' if not loop.last }}
            {%- endfor %},
            4
        ) as churn_score
    from signals
),

-- The signals as rows (contribution = weight x signal), each with its own words, for the reason.
contributions as (
    select
        workspace_id,
        'inactivity' as signal,
        {{ w.inactivity }} * inactivity as contribution,
        'no calls for ' || days_since_last_call::{{ type_varchar() }} || ' day(s)' as description
    from scored
    union all
    select
        workspace_id,
        'calls_decline' as signal,
        {{ w.calls_decline }} * calls_decline as contribution,
        'calls -' || {{ format_fixed('calls_decline * 100', 0) }} || '% (' || {{ format_count('previous_calls') }}
        || ' -> ' || {{ format_count('recent_calls') }} || ')' as description
    from scored
    union all
    select
        workspace_id,
        'spend_decline' as signal,
        {{ w.spend_decline }} * spend_decline as contribution,
        'spend -' || {{ format_fixed('spend_decline * 100', 0) }} || '% (' || {{ format_usd('previous_spend_usd') }}
        || ' -> ' || {{ format_usd('recent_spend_usd') }} || ')' as description
    from scored
    union all
    select
        workspace_id,
        'users_decline' as signal,
        {{ w.users_decline }} * users_decline as contribution,
        'active users -' || {{ format_fixed('users_decline * 100', 0) }} || '% ('
        || {{ format_count('previous_active_users') }} || ' -> ' || {{ format_count('recent_active_users') }}
        || ')' as description
    from scored
    union all
    select
        workspace_id,
        'model_mix_shift' as signal,
        {{ w.model_mix_shift }} * model_mix_shift as contribution,
        'model mix changed (' || {{ format_fixed('model_mix_shift * 100', 0) }} || '% of calls moved)'
            as description
    from scored
    union all
    select
        workspace_id,
        'feedback_decline' as signal,
        {{ w.feedback_decline }} * feedback_decline as contribution,
        'feedback quality ' || {{ format_fixed('previous_quality_score', 2) }} || ' -> '
        || {{ format_fixed('recent_quality_score', 2) }} as description
    from scored
),

ranked_contributions as (
    select
        *,
        row_number() over (partition by workspace_id order by contribution desc, signal asc) as contribution_rank
    from contributions
    where contribution > 0
),

top_signals as (
    select
        workspace_id,
        max(case when contribution_rank = 1 then signal end) as top_signal,
        {{ string_agg_ordered('description', '; ', 'contribution_rank') }} as top_signal_descriptions
    from ranked_contributions
    where contribution_rank <= 3
    group by workspace_id
),

final as (
    select
        scored.workspace_id,
        workspaces.workspace_name,
        windows.data_end_date,
        windows.recent_start_date,
        windows.previous_start_date,
        scored.last_call_date,
        scored.days_since_last_call::integer as days_since_last_call,
        scored.recent_calls::bigint as recent_calls,
        scored.previous_calls::bigint as previous_calls,
        scored.recent_spend_usd::decimal(38, 18) as recent_spend_usd,
        scored.previous_spend_usd::decimal(38, 18) as previous_spend_usd,
        scored.recent_active_users::bigint as recent_active_users,
        scored.previous_active_users::bigint as previous_active_users,
        scored.recent_feedback_count::bigint as recent_feedback_count,
        scored.previous_feedback_count::bigint as previous_feedback_count,
        scored.recent_quality_score,
        scored.previous_quality_score,
        scored.inactivity,
        scored.calls_decline,
        scored.spend_decline,
        scored.users_decline,
        scored.model_mix_shift,
        scored.feedback_decline,
        scored.churn_score,
        case
            when scored.churn_score >= {{ s.high_risk_from }} then 'high'
            when scored.churn_score >= {{ s.medium_risk_from }} then 'medium'
            else 'low'
        end as churn_risk_level,
        top_signals.top_signal,
        'Churn risk ' || {{ format_fixed('scored.churn_score', 2) }} || ': '
        || coalesce(top_signals.top_signal_descriptions, 'no decline signal (activity steady or growing)') || '.'
            as reason
    from scored
    cross join windows
    left join top_signals on scored.workspace_id = top_signals.workspace_id
    left join workspaces on scored.workspace_id = workspaces.workspace_id
)

select * from final
