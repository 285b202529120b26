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
        llm_id,
        'litellm' as matched_on
    from {{ ref('int_litellm_models') }}
),

raw_names as (
    select distinct model_raw
    from usage
    where model_raw is not null
),

name_forms as (
    {{ model_name_forms('raw_names', 'model_raw') }}
),

curated_matches as (
    {{ match_model_name_forms('name_forms', 'curated_names') }}
),

litellm_matches as (
    {{ match_model_name_forms('name_forms', 'litellm_names') }}
),

resolved as (
    select
        curated_matches.model_raw,
        curated_matches.name_normalised as model_normalised,
        coalesce(curated_matches.matched_llm_id, litellm_matches.matched_llm_id) as llm_id,
        coalesce(curated_matches.matched_step, litellm_matches.matched_step) as model_resolution_step,
        coalesce(curated_matches.matched_on, litellm_matches.matched_on) as model_matched_on
    from curated_matches
    inner join litellm_matches
        on curated_matches.model_raw = litellm_matches.model_raw
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
