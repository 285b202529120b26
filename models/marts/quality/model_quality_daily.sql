{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Feedback per model x UTC day of the call it is about (the latest version of each feedback, attributed to the
-- first call of its message: macros/metrics.sql, feedback_on_calls). Only model-days with feedback have a row.
-- Incremental by UTC day: new or changed feedback, or a new call that already has feedback, re-opens the day.
with

{{ sliced_source('usage', ref('usage_logs'), slices_with_new_feedback('calls.usage_date')) }},

call_feedback as (
    {{ feedback_on_calls('usage') }}
),

daily as (
    select
        usage_date,
        model,
        {{ feedback_measures() }},
        count(feedback_id) filter (where feedback_source = 'user') as user_feedback_count,
        count(feedback_id) filter (where feedback_source = 'annotation') as annotation_feedback_count,
        count(feedback_id) filter (where feedback_source = 'eval') as eval_feedback_count,
        count(feedback_id) filter (where feedback_kind = 'category' and feedback_category is not null)
            as category_feedback_count,
        count(feedback_id) filter (where trim(feedback_comment) <> '') as comment_count,
        count(feedback_id) filter (where not is_feedback_value_valid) as invalid_value_count,
        count(distinct event_id) as calls_with_feedback,
        max(ingested_at) as last_ingested_at
    from call_feedback
    group by usage_date, model
),

final as (
    select
        usage_date,
        model,
        feedback_count::bigint as feedback_count,
        user_feedback_count::bigint as user_feedback_count,
        annotation_feedback_count::bigint as annotation_feedback_count,
        eval_feedback_count::bigint as eval_feedback_count,
        calls_with_feedback::bigint as calls_with_feedback,
        thumbs_count::bigint as thumbs_count,
        thumbs_up_count::bigint as thumbs_up_count,
        rating_count::bigint as rating_count,
        rating_sum::bigint as rating_sum,
        {{ feedback_rates() }},
        category_feedback_count::bigint as category_feedback_count,
        comment_count::bigint as comment_count,
        invalid_value_count::bigint as invalid_value_count,
        last_ingested_at,
        last_feedback_ingested_at
    from daily
)

select * from final
