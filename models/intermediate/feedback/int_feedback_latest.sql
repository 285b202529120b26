-- One row per feedback_id: the latest version wins (latest created_at, tie -> latest ingested_at, then the
-- later load and line), with the value normalised: thumbs -> 0/1, rating -> 1..5, category -> its label.
with

feedback_events as (
    select * from {{ ref('stg_raw__feedback_events') }}
),

versioned as (
    select
        *,
        count(*) over (partition by feedback_id) as version_count,
        row_number() over (
            partition by feedback_id
            order by created_at desc nulls last, ingested_at desc, load_id desc, source_line desc
        ) as version_rank
    from feedback_events
),

latest as (
    select * from versioned
    where version_rank = 1
),

normalised as (
    select
        *,
        lower(feedback_value) as value_lower,
        try_cast(feedback_value as double) as value_number
    from latest
),

scored as (
    select
        *,
        case
            when kind = 'thumbs' and (
                    value_lower in ('up', 'true', '1', 'yes', '+1', 'thumbs_up', 'thumbsup', 'positive')
                    or feedback_value like '👍%'
                ) then 1
            when kind = 'thumbs' and (
                    value_lower in ('down', 'false', '0', 'no', '-1', 'thumbs_down', 'thumbsdown', 'negative')
                    or feedback_value like '👎%'
                ) then 0
            when kind = 'rating' and value_number between 1 and 5 and value_number = floor(value_number)
                then value_number::integer
        end as score,
        case when kind = 'category' and feedback_value <> '' then feedback_value end as category
    from normalised
),

final as (
    select
        feedback_id,
        message_id,
        user_id,
        kind,
        feedback_value,
        score::integer as score,
        category,
        (score is not null or category is not null) as is_value_valid,
        comment,
        feedback_source,
        created_at,
        ingested_at,
        version_count::integer as version_count
    from scored
)

select * from final
