{{ config(**rebuilt_by_key_config('conversation_id', 'rebuilt_conversations', ['usage_logs'])) }}

-- Rebuilt by key (macros/incremental.sql): an incremental run recomputes only the conversations of the calls
-- loaded since the last build, each from all its calls. Its workspace and user are those of its first call.
{%- set first_call = ['occurred_at', 'event_id'] %}
with

usage as (
    select * from {{ ref('usage_logs') }}
    where {{ in_rebuilt_keys('conversation_id', rebuilt_conversations()) }}
),

conversation_calls as (
    select * from usage
    where conversation_id is not null
),

activity as (
    select
        conversation_id,
        min(occurred_at) as started_at,
        max(occurred_at) as last_call_at,
        count(*) as calls,
        count(distinct message_id) as messages,
        count(distinct model) as models,
        sum(input_tokens + output_tokens) as total_tokens,
        sum(cost_usd) as cost_usd,
        count(*) filter (where cost_status = 'unpriced') as unpriced_calls,
        -- the workspace and user of its first call
        {{ first_by('workspace_id', first_call) }} as workspace_id,
        {{ first_by('user_id', first_call) }} as user_id
    from conversation_calls
    group by conversation_id
),

final as (
    select
        activity.conversation_id::{{ type_varchar() }} as conversation_id,
        activity.workspace_id::{{ type_varchar() }} as workspace_id,
        activity.user_id::{{ type_varchar() }} as user_id,
        activity.started_at::{{ type_timestamptz() }} as started_at,
        activity.last_call_at::{{ type_timestamptz() }} as last_call_at,
        activity.calls::bigint as calls,
        activity.messages::bigint as messages,
        activity.models::bigint as models,
        activity.total_tokens::bigint as total_tokens,
        coalesce(activity.cost_usd, 0)::decimal(38, 18) as cost_usd,
        activity.unpriced_calls::bigint as unpriced_calls
    from activity
)

select * from final
