-- The bare lower bound (synapscale bench): one hand-written DuckDB script over the same landed usage files,
-- computing the main results directly into a fresh database: no validation, no dedupe (the benchmark's data
-- has no re-sent events), no dbt, no tests, no publish. The dollar-brace placeholders are filled in by
-- synapscale/bench/bare.py: the landed usage files, the seeds folder and the model-name patterns of
-- dbt_project.yml; the rendered script is saved beside the results and runs as it is in the duckdb CLI.
set TimeZone = 'UTC';

-- load: the landed usage files as one table
create table usage_events as
select * from ${usage_reader};

-- prices, aliases and the catalog, straight from the seed files; the LiteLLM fallback's prices hold for all time
create table curated_prices as
select * from read_csv('${seeds_dir}/llm_prices.csv', header = true, types = {
    'effective_from': 'TIMESTAMPTZ', 'effective_to': 'TIMESTAMPTZ',
    'input_usd_per_1m': 'DECIMAL(20,12)', 'output_usd_per_1m': 'DECIMAL(20,12)',
    'cache_read_usd_per_1m': 'DECIMAL(20,12)', 'cache_write_usd_per_1m': 'DECIMAL(20,12)',
    'reasoning_usd_per_1m': 'DECIMAL(20,12)', 'tier_threshold_tokens': 'BIGINT',
    'tier_input_usd_per_1m': 'DECIMAL(20,12)', 'tier_output_usd_per_1m': 'DECIMAL(20,12)',
    'tier_cache_read_usd_per_1m': 'DECIMAL(20,12)', 'tier_cache_write_usd_per_1m': 'DECIMAL(20,12)'
});

create table prices as
select
    llm_id, price_id, effective_from, effective_to, input_usd_per_1m, output_usd_per_1m, cache_read_usd_per_1m,
    cache_write_usd_per_1m, reasoning_usd_per_1m, tier_threshold_tokens, tier_input_usd_per_1m,
    tier_output_usd_per_1m, tier_cache_read_usd_per_1m, tier_cache_write_usd_per_1m
from curated_prices
union all
select
    llm_id, price_id, '-infinity'::timestamptz, null, input_usd_per_1m, output_usd_per_1m, cache_read_usd_per_1m,
    cache_write_usd_per_1m, reasoning_usd_per_1m, tier_threshold_tokens, tier_input_usd_per_1m,
    tier_output_usd_per_1m, tier_cache_read_usd_per_1m, tier_cache_write_usd_per_1m
from read_csv('${seeds_dir}/litellm_prices.csv', header = true, types = {
    'input_usd_per_1m': 'DECIMAL(20,12)', 'output_usd_per_1m': 'DECIMAL(20,12)',
    'cache_read_usd_per_1m': 'DECIMAL(20,12)', 'cache_write_usd_per_1m': 'DECIMAL(20,12)',
    'reasoning_usd_per_1m': 'DECIMAL(20,12)', 'tier_threshold_tokens': 'BIGINT',
    'tier_input_usd_per_1m': 'DECIMAL(20,12)', 'tier_output_usd_per_1m': 'DECIMAL(20,12)',
    'tier_cache_read_usd_per_1m': 'DECIMAL(20,12)', 'tier_cache_write_usd_per_1m': 'DECIMAL(20,12)'
})
where llm_id not in (select llm_id from curated_prices);

-- raw model name -> llm_id: as reported, then without prefixes, then without suffixes; an alias wins over a
-- catalog id of the same spelling; only when no curated name matches, the same forms among the LiteLLM models
create table model_names as
with lookup as (
    select lookup_name, llm_id from (
        select lower(trim(alias)) as lookup_name, llm_id, 1 as priority
        from read_csv('${seeds_dir}/llm_aliases.csv', header = true)
        union all
        select lower(trim(llm_id)), llm_id, 2 from read_csv('${seeds_dir}/llm_catalog.csv', header = true)
    )
    qualify row_number() over (partition by lookup_name order by priority) = 1
),
fallback as (
    select lower(llm_id) as lookup_name, llm_id
    from read_csv('${seeds_dir}/litellm_prices.csv', header = true)
    where llm_id not in (select llm_id from lookup)
),
forms as (
    select model_raw, lower(model_raw) as reported, ${strip_prefixes} as without_prefixes
    from (select distinct trim(model) as model_raw from usage_events)
)
select
    forms.model_raw,
    coalesce(a.llm_id, b.llm_id, c.llm_id, d.llm_id, e.llm_id, f.llm_id) as llm_id,
    coalesce(a.llm_id, b.llm_id, c.llm_id, d.llm_id, e.llm_id, f.llm_id, 'unresolved:' || forms.model_raw) as model
from forms
left join lookup as a on a.lookup_name = forms.reported
left join lookup as b on b.lookup_name = forms.without_prefixes
left join lookup as c on c.lookup_name = ${strip_suffixes_of_without_prefixes}
left join fallback as d on d.lookup_name = forms.reported
left join fallback as e on e.lookup_name = forms.without_prefixes
left join fallback as f on f.lookup_name = ${strip_suffixes_of_without_prefixes};

-- per call: exclusive buckets, the price row in force at occurred_at, tier for the whole call, fallbacks,
-- provider-reported cost first
create table calls_priced as
with calls as (
    select
        u.event_id, u.workspace_id, u.model as model_raw, n.llm_id, n.model, u.occurred_at,
        (u.occurred_at at time zone 'UTC')::date as usage_date, u.status, u.latency_ms, u.time_to_first_token_ms,
        u.input_tokens, u.output_tokens, u.provider_cost_usd::decimal(38, 18) as provider_cost_usd,
        u.input_tokens - coalesce(u.cache_read_input_tokens, 0) - coalesce(u.cache_creation_input_tokens, 0)
            as uncached_input_tokens,
        coalesce(u.cache_read_input_tokens, 0) as cache_read_tokens,
        coalesce(u.cache_creation_input_tokens, 0) as cache_write_tokens,
        u.output_tokens - coalesce(u.reasoning_output_tokens, 0) as visible_output_tokens,
        coalesce(u.reasoning_output_tokens, 0) as reasoning_tokens
    from usage_events as u
    left join model_names as n on n.model_raw = trim(u.model)
),
rated as (
    select
        calls.*,
        p.price_id,
        coalesce(calls.input_tokens > p.tier_threshold_tokens, false) as tier,
        case when tier then coalesce(p.tier_input_usd_per_1m, p.input_usd_per_1m) else p.input_usd_per_1m end
            as input_rate,
        case when tier then coalesce(p.tier_output_usd_per_1m, p.output_usd_per_1m) else p.output_usd_per_1m end
            as output_rate,
        case when tier then coalesce(p.tier_cache_read_usd_per_1m, input_rate)
            else coalesce(p.cache_read_usd_per_1m, input_rate) end as cache_read_rate,
        case when tier then coalesce(p.tier_cache_write_usd_per_1m, input_rate)
            else coalesce(p.cache_write_usd_per_1m, input_rate) end as cache_write_rate,
        case when tier then output_rate else coalesce(p.reasoning_usd_per_1m, output_rate) end as reasoning_rate
    from calls
    left join prices as p
        on p.llm_id = calls.llm_id and calls.occurred_at >= p.effective_from
        and (p.effective_to is null or calls.occurred_at < p.effective_to)
),
computed as (
    select
        *,
        case when price_id is not null and input_tokens is not null and output_tokens is not null
            and uncached_input_tokens >= 0 and visible_output_tokens >= 0 then (
                uncached_input_tokens::decimal(38, 0) * input_rate * 0.000001::decimal(7, 6)
                + cache_read_tokens::decimal(38, 0) * cache_read_rate * 0.000001::decimal(7, 6)
                + cache_write_tokens::decimal(38, 0) * cache_write_rate * 0.000001::decimal(7, 6)
                + visible_output_tokens::decimal(38, 0) * output_rate * 0.000001::decimal(7, 6)
                + reasoning_tokens::decimal(38, 0) * reasoning_rate * 0.000001::decimal(7, 6)
            )::decimal(38, 18)
        end as computed_cost_usd
    from rated
)
select *, coalesce(provider_cost_usd, computed_cost_usd)::decimal(38, 18) as cost_usd from computed;

-- daily spend per workspace x model
create table spend_daily as
select
    usage_date, workspace_id, model,
    count(*) as calls,
    sum(input_tokens) as input_tokens,
    sum(output_tokens) as output_tokens,
    coalesce(sum(cost_usd), 0)::decimal(38, 18) as cost_usd,
    count(*) filter (where cost_usd is null) as unpriced_calls
from calls_priced
group by all;

-- per-model daily latency percentiles
create table latency_daily as
select
    usage_date, model,
    count(*) as calls,
    count(*) filter (where status = 'error') as error_calls,
    quantile_cont(latency_ms, [0.5, 0.95, 0.99]) as latency_ms_p50_p95_p99,
    quantile_cont(time_to_first_token_ms, [0.5, 0.95, 0.99]) as time_to_first_token_ms_p50_p95_p99
from calls_priced
group by all;

checkpoint;
