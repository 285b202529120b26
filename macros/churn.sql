{#- Churn-risk score (docs/marts/churn.md), the one copy of its settings. Windows are relative to the data's last
    UTC day: recent = its last window_days days, previous = the window_days before. Each signal is in [0, 1]
    and the score is their weighted sum (the weights add up to 1), so the score is in [0, 1]:
      inactivity        days since the last call / window_days, capped at 1
      calls_decline     1 - recent calls / previous calls, floored at 0 (0 without previous calls)
      spend_decline     the same for spend
      users_decline     the same for distinct active users
      model_mix_shift   total variation distance between the two windows' shares of calls per model
      feedback_decline  the drop of the mean feedback quality (thumbs 0/1, ratings (r - 1) / 4), a drop of
                        quality_drop_for_full_signal or more = 1; 0 unless both windows have min_feedback events -#}
{% macro churn_settings() -%}
    {{ return({
        'window_days': var('churn_window_days', 28) | int,
        'min_feedback': var('churn_min_feedback', 5) | int,
        'quality_drop_for_full_signal': 0.25,
        'weights': {
            'inactivity': 0.30,
            'calls_decline': 0.25,
            'spend_decline': 0.15,
            'users_decline': 0.15,
            'model_mix_shift': 0.05,
            'feedback_decline': 0.10,
        },
        'high_risk_from': 0.6,
        'medium_risk_from': 0.3,
    }) }}
{%- endmacro %}

{#- 1 - recent / previous, floored at 0; 0 when there is nothing previous to decline from. -#}
{% macro decline_ratio(recent, previous) -%}
    case when {{ previous }} > 0 then greatest(0.0, 1 - ({{ recent }})::double / ({{ previous }})::double) else 0.0 end
{%- endmacro %}
