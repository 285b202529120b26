{#-
    Cost rules (see docs/cost.md). Money is DECIMAL: rates are DECIMAL(20,12) USD per 1M tokens, so
    tokens x rate x 0.000001 is exact at 18 decimal places, the scale of every cost column.
    ingest/prices.py mirrors the model-name patterns below (MODEL_PREFIX_PATTERNS, MODEL_SUFFIX_PATTERNS);
    change both together.
-#}

{#- Provider routing prefixes ("openai/", "bedrock/"), then a region prefix ("us."), then a vendor prefix
    ("anthropic."), as LiteLLM, Bedrock and gateways report them. -#}
{% macro strip_model_name_prefixes(name) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                {{ name }},
                '^((openai|anthropic|gemini|google|vertex_ai|together_ai|bedrock|bedrock_converse|azure|azure_ai|xai|deepseek|openrouter|models)/)+',
                ''
            ),
            '^(us|eu|apac)\.',
            ''
        ),
        '^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek)\.',
        ''
    )
{%- endmacro %}

{#- Version suffixes, in this order: Bedrock "-v1:0", "-latest", Vertex "@20240229", "-2024-08-06",
    "-20240229", Gemini "-001"/"-002". Four-digit OpenAI suffixes (-0125, -1106) are NOT stripped: those
    snapshots were priced differently, so they resolve only through the alias seed. -#}
{% macro strip_model_name_suffixes(name) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace({{ name }}, '-v\d+(:\d+)?$', ''),
                        '-latest$',
                        ''
                    ),
                    '@\d{8}$',
                    ''
                ),
                '-\d{4}-\d{2}-\d{2}$',
                ''
            ),
            '-\d{8}$',
            ''
        ),
        '-0\d{2}$',
        ''
    )
{%- endmacro %}

{#- Cost of one token bucket: tokens x USD-per-1M rate, exact, DECIMAL(38,18).
    decimal(38,0) x decimal(20,12) = decimal(38,12); x decimal(7,6) = decimal(38,18). Never divide money. -#}
{% macro bucket_cost_usd(tokens, rate_usd_per_1m) -%}
    ({{ tokens }}::decimal(38, 0) * {{ rate_usd_per_1m }}::decimal(20, 12) * 0.000001::decimal(7, 6))::decimal(38, 18)
{%- endmacro %}
