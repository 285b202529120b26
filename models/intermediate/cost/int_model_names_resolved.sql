-- One row per distinct raw model name seen in usage, resolved to a canonical llm_id (or left unresolved).
-- Lookup order: the name as reported, then without provider/region/vendor prefixes, then also without
-- date/version suffixes; at each step the alias seed wins over a catalog llm_id of the same spelling. Only when
-- no curated name matches, the same three forms are looked up in the LiteLLM fallback (int_litellm_models).
with

usage as (
    select * from {{ ref('stg_raw__usage_events') }}
),

curated_names as (
    {{ curated_model_name_lookup() }}
),

-- the LiteLLM fallback, looked up only when no curated name matches (int_litellm_models)
litellm_names as (
    select
        lower(llm_id) as lookup_name,
        llm_id
    from {{ ref('int_litellm_models') }}
),

raw_names as (
    select distinct model_raw
    from usage
    where model_raw is not null
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
        coalesce(
            as_reported.llm_id, without_prefixes.llm_id, without_suffixes.llm_id,
            litellm_as_reported.llm_id, litellm_without_prefixes.llm_id, litellm_without_suffixes.llm_id
        ) as llm_id,
        case
            when as_reported.llm_id is not null then 'as_reported'
            when without_prefixes.llm_id is not null then 'prefixes_stripped'
            when without_suffixes.llm_id is not null then 'normalised'
            when litellm_as_reported.llm_id is not null then 'as_reported'
            when litellm_without_prefixes.llm_id is not null then 'prefixes_stripped'
            when litellm_without_suffixes.llm_id is not null then 'normalised'
        end as model_resolution_step,
        coalesce(
            as_reported.matched_on,
            without_prefixes.matched_on,
            without_suffixes.matched_on,
            case
                when
                    coalesce(
                        litellm_as_reported.llm_id, litellm_without_prefixes.llm_id, litellm_without_suffixes.llm_id
                    ) is not null
                    then 'litellm'
            end
        ) as model_matched_on
    from normalised
    left join curated_names as as_reported
        on normalised.name_as_reported = as_reported.lookup_name
    left join curated_names as without_prefixes
        on normalised.name_without_prefixes = without_prefixes.lookup_name
    left join curated_names as without_suffixes
        on normalised.model_normalised = without_suffixes.lookup_name
    left join litellm_names as litellm_as_reported
        on normalised.name_as_reported = litellm_as_reported.lookup_name
    left join litellm_names as litellm_without_prefixes
        on normalised.name_without_prefixes = litellm_without_prefixes.lookup_name
    left join litellm_names as litellm_without_suffixes
        on normalised.model_normalised = litellm_without_suffixes.lookup_name
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
