-- One row per distinct raw model name seen in usage, resolved to a canonical llm_id (or left unresolved).
-- Lookup order: the name as reported, then without provider/region/vendor prefixes, then also without
-- date/version suffixes; at each step the alias seed wins over a catalog llm_id of the same spelling.
with

usage as (
    select * from {{ ref('stg_raw__usage_events') }}
),

aliases as (
    select * from {{ ref('llm_aliases') }}
),

catalog as (
    select * from {{ ref('llm_catalog') }}
),

raw_names as (
    select distinct model_raw
    from usage
    where model_raw is not null
),

lookup_candidates as (
    select
        lower(trim(alias)) as lookup_name,
        llm_id,
        'alias' as matched_on,
        1 as lookup_priority
    from aliases
    union all
    select
        lower(trim(llm_id)) as lookup_name,
        llm_id,
        'catalog' as matched_on,
        2 as lookup_priority
    from catalog
),

lookup as (
    select * from lookup_candidates
    qualify row_number() over (partition by lookup_name order by lookup_priority) = 1
),

name_forms as (
    select
        model_raw,
        lower(model_raw) as name_as_reported,
        {{ strip_model_name_prefixes('lower(model_raw)') }} as name_without_prefixes
    from raw_names
),

normalised as (
    select
        *,
        {{ strip_model_name_suffixes('name_without_prefixes') }} as model_normalised
    from name_forms
),

resolved as (
    select
        normalised.model_raw,
        normalised.model_normalised,
        coalesce(as_reported.llm_id, without_prefixes.llm_id, without_suffixes.llm_id) as llm_id,
        case
            when as_reported.llm_id is not null then 'as_reported'
            when without_prefixes.llm_id is not null then 'prefixes_stripped'
            when without_suffixes.llm_id is not null then 'normalised'
        end as model_resolution_step,
        coalesce(as_reported.matched_on, without_prefixes.matched_on, without_suffixes.matched_on)
            as model_matched_on
    from normalised
    left join lookup as as_reported
        on normalised.name_as_reported = as_reported.lookup_name
    left join lookup as without_prefixes
        on normalised.name_without_prefixes = without_prefixes.lookup_name
    left join lookup as without_suffixes
        on normalised.model_normalised = without_suffixes.lookup_name
),

final as (
    select
        model_raw,
        model_normalised,
        llm_id,
        -- the model key every model groups and bills by: unresolved names stay apart, by their raw spelling
        coalesce(llm_id, 'unresolved:' || model_raw) as model,
        llm_id is not null as is_model_resolved,
        model_resolution_step,
        model_matched_on
    from resolved
)

select * from final
