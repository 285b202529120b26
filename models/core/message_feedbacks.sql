with

feedback as (
    select * from {{ ref('int_feedback_latest') }}
),

final as (
    select
        feedback_id,
        message_id,
        user_id,
        kind,
        feedback_value,
        score,
        category,
        is_value_valid,
        comment,
        feedback_source,
        created_at,
        ingested_at,
        version_count
    from feedback
)

select * from final
