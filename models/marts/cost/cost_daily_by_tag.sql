{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Spend per UTC day x workspace x user x model x provider x tag. A call carries a list of tags and counts once
-- under EACH of its tags, so summing across tags double counts: filter on one tag, or use cost_daily for
-- totals. Calls without tags appear under the tag '(untagged)'. Tags are core.tags' normalised labels
-- (trimmed, lower-cased, each once per call). Incremental by UTC day, like cost_hourly.
{#- The columns it groups by, written once for the group by and the final select. -#}
{% set grain = ['usage_date', 'workspace_id', 'user_id', 'model', 'provider', 'tag'] %}
with

{{ sliced_source('usage', ref('usage_logs'), slices_of_new_calls()) }},

call_tags as (
    select
        event_id,
        tag
    from {{ ref('tags') }}
    where entity_type = 'usage_log'
),

calls_by_tag as (
    select
        usage.*,
        coalesce(call_tags.tag, '(untagged)') as tag
    from usage
    left join call_tags on usage.event_id = call_tags.event_id
),

daily as (
    select
        {{ grain | join(', ') }},
        {{ call_cost_measures() }}
    from calls_by_tag
    group by {{ grain | join(', ') }}
),

final as (
    select
        {{ grain | join(', ') }},
        {{ cost_measure_columns() }}
    from daily
)

select * from final
