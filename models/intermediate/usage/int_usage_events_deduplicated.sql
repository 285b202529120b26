-- One row per LLM call (event_id), the one place dbt de-duplicates calls.
with

usage as (
    select * from {{ ref('stg_raw__usage_events') }}
),

-- The rule: a re-sent event with the same event_id is the same event, and its first-ingested copy wins
-- (earliest ingested_at, then the earlier load and line). Ingest already skips re-sent ids, so this only
-- matters should one slip through; it is also what core.usage_logs keeps, run after run, so an incremental
-- history equals a full refresh.
first_ingested as (
    select * from usage
    qualify row_number() over (partition by event_id order by ingested_at, load_id, source_line) = 1
),

-- The call's UTC hour and day, computed once here: every model grouping calls by time reads these.
final as (
    select
        *,
        {{ utc_hour('occurred_at') }} as usage_hour,
        {{ utc_date('occurred_at') }} as usage_date
    from first_ingested
)

select * from final
