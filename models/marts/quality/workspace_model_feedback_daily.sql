{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Feedback per UTC day of the call x workspace x model x provider x category (the category label of category feedback,
-- '' for every other kind), attributed as in model_quality_daily (macros/metrics.sql, feedback_on_calls): the
-- workspace grain the dashboard's Feedback and quality page reads, its per-model figures summed over the
-- categories and its category chart from the labelled rows. Only days with feedback have a row.
-- Incremental by UTC day: new or changed feedback, or a new call that already has feedback, re-opens the day.
{#- The columns it groups by, written once for the group by and the final select. -#}
{% set grain = ['usage_date', 'workspace_id', 'model', 'provider', 'category'] %}
with

{{ sliced_source('usage', ref('usage_logs'), slices_with_new_feedback('calls.usage_date')) }},

call_feedback as (
    select
        *,
        case when feedback_kind = 'category' and feedback_category is not null then feedback_category else '' end
            as category
    from ({{ feedback_on_calls('usage') }}) as attributed
),

daily as (
    select
        {{ grain | join(', ') }},
        {{ feedback_measures() }},
        count(feedback_id) filter (where trim(feedback_comment) <> '') as comment_count,
        max(ingested_at) as last_ingested_at
    from call_feedback
    group by {{ grain | join(', ') }}
),

final as (
    select
        {{ surrogate_key([as_text('usage_date'), 'workspace_id', 'model', 'provider', 'category']) }}
            as workspace_model_feedback_id,
        {{ grain | join(', ') }},
        feedback_count::bigint as feedback_count,
        thumbs_count::bigint as thumbs_count,
        thumbs_up_count::bigint as thumbs_up_count,
        rating_count::bigint as rating_count,
        rating_sum::bigint as rating_sum,
        comment_count::bigint as comment_count,
        last_ingested_at,
        last_feedback_ingested_at
    from daily
)

select * from final
