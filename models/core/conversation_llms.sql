{{ config(**rebuilt_by_key_config('conversation_id', 'rebuilt_conversations', ['usage_logs'])) }}

-- Rebuilt by key (macros/incremental.sql): an incremental run recomputes every model row of the conversations
-- of the calls loaded since the last build, each from all the conversation's calls.
with

usage as (
    select * from {{ ref('usage_logs') }}
    where {{ in_rebuilt_keys('conversation_id', rebuilt_conversations()) }}
),

conversation_calls as (
    select
        conversation_id,
        llm_id,
        model,
        occurred_at,
        input_tokens,
        output_tokens,
        cost_usd,
        cost_status
    from usage
    where conversation_id is not null
),

per_model as (
    select
        conversation_id,
        model,
        any_value(llm_id) as llm_id,
        min(occurred_at) as first_used_at,
        max(occurred_at) as last_used_at,
        count(*) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cost_usd) as cost_usd,
        count(*) filter (where cost_status = 'unpriced') as unpriced_calls
    from conversation_calls
    group by conversation_id, model
),

final as (
    select
        {{ surrogate_key(['conversation_id', 'model']) }} as conversation_llm_id,
        conversation_id,
        llm_id,
        model,
        first_used_at,
        last_used_at,
        calls::bigint as calls,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        (input_tokens + output_tokens)::bigint as total_tokens,
        coalesce(cost_usd, 0)::decimal(38, 18) as cost_usd,
        unpriced_calls::bigint as unpriced_calls
    from per_model
)

select * from final
