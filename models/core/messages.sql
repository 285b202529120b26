{{ config(**rebuilt_by_key_config('message_id', 'rebuilt_messages', ['usage_logs', 'stg_raw__feedback_events'])) }}
-- depends_on: {{ ref('stg_raw__feedback_events') }}

-- Rebuilt by key (macros/incremental.sql): an incremental run recomputes only the messages of the calls and
-- feedback loaded since the last build, each from all its calls and feedback.
with

usage as (
    select * from {{ ref('usage_logs') }}
    where {{ in_rebuilt_keys('message_id', rebuilt_messages()) }}
),

feedback as (
    select * from {{ ref('int_feedback_latest') }}
    where {{ in_rebuilt_keys('message_id', rebuilt_messages()) }}
),

message_calls as (
    select * from usage
    where message_id is not null
),

first_calls as (
    select
        message_id,
        event_id,
        conversation_id,
        workspace_id,
        user_id,
        llm_id
    from message_calls
    qualify row_number() over (partition by message_id order by occurred_at, event_id) = 1
),

activity as (
    select
        message_id,
        min(occurred_at) as first_call_at,
        max(occurred_at) as last_call_at,
        count(*) as calls,
        sum(cost_usd) as cost_usd
    from message_calls
    group by message_id
),

messages_from_usage as (
    select
        activity.message_id,
        first_calls.event_id,
        first_calls.conversation_id,
        first_calls.workspace_id,
        first_calls.user_id,
        first_calls.llm_id,
        activity.first_call_at,
        activity.last_call_at,
        activity.calls,
        activity.cost_usd,
        false as is_feedback_only
    from activity
    inner join first_calls on activity.message_id = first_calls.message_id
),

-- Feedback about a message no usage event produced (yet): the message is kept as a 'feedback-only' row so
-- message_feedbacks keeps every feedback and its foreign key holds; is_feedback_only counts them.
messages_from_feedback_only as (
    select
        feedback.message_id,
        null as event_id,
        null as conversation_id,
        null as workspace_id,
        null as user_id,
        null as llm_id,
        null as first_call_at,
        null as last_call_at,
        0 as calls,
        null as cost_usd,
        true as is_feedback_only
    from feedback
    left join activity on feedback.message_id = activity.message_id
    where activity.message_id is null
    group by feedback.message_id
),

unioned as (
    select * from messages_from_usage
    union all
    select * from messages_from_feedback_only
),

final as (
    select
        message_id::{{ type_varchar() }} as message_id,
        event_id::{{ type_varchar() }} as event_id,
        conversation_id::{{ type_varchar() }} as conversation_id,
        workspace_id::{{ type_varchar() }} as workspace_id,
        user_id::{{ type_varchar() }} as user_id,
        llm_id::{{ type_varchar() }} as llm_id,
        first_call_at::{{ type_timestamptz() }} as first_call_at,
        last_call_at::{{ type_timestamptz() }} as last_call_at,
        calls::bigint as calls,
        coalesce(cost_usd, 0)::decimal(38, 18) as cost_usd,
        is_feedback_only::boolean as is_feedback_only
    from unioned
)

select * from final
