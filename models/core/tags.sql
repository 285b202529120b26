{{ config(**rebuilt_by_key_config(
    "entity_type || ':' || entity_id", 'rebuilt_tag_entities', ['usage_logs', 'stg_raw__feedback_events']
)) }}
-- depends_on: {{ ref('stg_raw__feedback_events') }}, {{ ref('usage_logs') }}, {{ ref('int_feedback_latest') }}

-- Normalised tags, as int_tags_normalised builds them; the contract in _core__models.yml fixes the columns and
-- their types, so a new upstream column has to be documented here first. Rebuilt by key (macros/incremental.sql):
-- an incremental run adds the tags of the calls loaded since the last build (a call's tags never change) and
-- recomputes the category tags of the messages whose feedback landed since, from all their feedback.
with

tags as (
    {% if is_incremental() %}
        {%- set new_calls = '(' ~ new_calls() ~ ')' %}
        {%- set feedback = ref('int_feedback_latest') ~ ' where message_id in (' ~ rebuilt_messages() ~ ')' %}
        {{ normalised_tags(new_calls, '(select * from ' ~ feedback ~ ')') }}
    {% else %}
        select * from {{ ref('int_tags_normalised') }}
    {% endif %}
),

final as (
    select * from tags
)

select * from final
