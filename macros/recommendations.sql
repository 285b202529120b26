{#- Model-switch recommendation rules (docs/marts/recommendations.md), the one copy; each can be overridden
    with --vars (e.g. '{recommendation_quality_tolerance: 0.03}').
      window_days          traffic and cost window: the last N days of data (relative to its last UTC day)
      month_days           the window's saving is scaled to this many days for the monthly figure
      min_calls            calls of the model by the workspace in the window to be considered
      quality_window_days  feedback window: the last N days of data, all workspaces pooled
      min_feedback         scored feedback events per model (thumbs or rating) needed on BOTH sides
      quality_tolerance    the alternative's lower bound may be at most this far below the current model's score
      wilson_z             z of the Wilson score interval (1.96: 95 %) -#}
{% macro recommendation_settings() -%}
    {{ return({
        'window_days': var('recommendation_window_days', 28) | int,
        'month_days': var('recommendation_month_days', 30) | int,
        'min_calls': var('recommendation_min_calls', 100) | int,
        'quality_window_days': var('recommendation_quality_window_days', 90) | int,
        'min_feedback': var('recommendation_min_feedback', 100) | int,
        'quality_tolerance': var('recommendation_quality_tolerance', 0.02) | float,
        'wilson_z': var('recommendation_wilson_z', 1.96) | float,
    }) }}
{%- endmacro %}

{#- A feedback's quality in [0, 1]: thumbs up 1 / down 0; a 1-5 rating r as (r - 1) / 4 (1 -> 0, 3 -> 0.5,
    5 -> 1); NULL for categories and unreadable values. -#}
{% macro feedback_quality_score(kind, score) -%}
    case
        when {{ kind }} = 'thumbs' then {{ score }}::double
        when {{ kind }} = 'rating' then ({{ score }}::double - 1) / 4
    end
{%- endmacro %}

{#- Bounds of the Wilson score interval for a mean quality p of n feedback events (z: its width). For 0/1 thumbs
    it is the classic binomial interval; ratings mapped into [0, 1] have a variance of at most p(1 - p), so the
    same interval is, if anything, conservative for them. -#}
{% macro wilson_bound(p, n, z, side) -%}
    {%- set sign = '-' if side == 'lower' else '+' -%}
    (
        ({{ p }}) + {{ z }} * {{ z }} / (2 * ({{ n }}))
        {{ sign }} {{ z }} * sqrt(
            ({{ p }}) * (1 - ({{ p }})) / ({{ n }}) + {{ z }} * {{ z }} / (4 * ({{ n }}) * ({{ n }}))
        )
    ) / (1 + {{ z }} * {{ z }} / ({{ n }}))
{%- endmacro %}
