{% set contributes = "feedback.kind = 'category' and feedback.category is not null" %}
{{ config(
    materialized='incremental',
    pre_hook="{{ delete_rebuilt_rows('usage_date', slices_with_new_feedback('calls.usage_date', \"" ~ contributes ~ "\")) }}",
    **day_slice_config('usage_date')
) }}

-- Category feedback (kind 'category': helpful, incorrect, too_long, ...) per model x UTC day of the call x
-- category label as sent (trimmed). Incremental by UTC day; only category feedback re-opens a day. A day can
-- lose all its rows (its one category feedback moved to another message): the pre-hook deletes the re-opened
-- days first, as delete+insert only replaces the days that still have rows.

with

{{ sliced_source('usage', ref('usage_logs'), slices_with_new_feedback('calls.usage_date', contributes)) }},

call_feedback as (
    {{ feedback_on_calls('usage') }}
),

by_category as (
    select
        usage_date,
        model,
        feedback_category as category,
        count(*) as feedback_count,
        count(*) filter (where trim(feedback_comment) <> '') as comment_count,
        max(ingested_at) as last_ingested_at,
        max(feedback_ingested_at) as last_feedback_ingested_at
    from call_feedback
    where feedback_kind = 'category' and feedback_category is not null
    group by usage_date, model, feedback_category
),

final as (
    select
        usage_date,
        model,
        category,
        feedback_count::bigint as feedback_count,
        comment_count::bigint as comment_count,
        last_ingested_at,
        last_feedback_ingested_at
    from by_category
)

select * from final
