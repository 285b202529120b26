"""Which provider a record's call went to, as SQL: one copy of the rules every adapter uses.

`provider` is the service that served (and billed) the call, stored as this product's short names (`openai`,
`anthropic`, `google`, `azure`, `bedrock`, `deepseek`, `groq`, `mistral`, `openrouter`, `xai`, ...); the cost
engine prices by model (llm_id), provider is a dimension. Names other systems use for the same service map onto
them (NAMES): the OpenTelemetry GenAI `gen_ai.provider.name` values and the older `gen_ai.system` ones, LiteLLM's
`custom_llm_provider`, Helicone's provider enum. A name not in the table is kept, lower-cased.
"""

from __future__ import annotations

# Other systems' provider names -> this product's. Keys are lower-case.
NAMES: dict[str, str] = {
    # OpenTelemetry semantic conventions (gen_ai.provider.name, and gen_ai.system before it)
    "openai": "openai",
    "anthropic": "anthropic",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "az.ai.openai": "azure",
    "az.ai.inference": "azure",
    "aws.bedrock": "bedrock",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "gemini": "google",
    "vertex_ai": "google",
    "x_ai": "xai",
    "xai": "xai",
    "deepseek": "deepseek",
    "groq": "groq",
    "mistral_ai": "mistral",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "ibm.watsonx.ai": "watsonx",
    # LiteLLM custom_llm_provider and Helicone provider values that differ from the above
    "azure": "azure",
    "azure_ai": "azure",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "aws": "bedrock",
    "vertex_ai_beta": "google",
    "google": "google",
    "mistral": "mistral",
    "cohere_chat": "cohere",
    "watsonx": "watsonx",
    "openrouter": "openrouter",
    "together_ai": "together_ai",
    "together": "together_ai",
    "fireworks_ai": "fireworks_ai",
    "fireworks": "fireworks_ai",
}

# Parts of an API base URL / server address -> provider (first match wins).
HOSTS: tuple[tuple[str, str], ...] = (
    ("openrouter.ai", "openrouter"),
    ("api.openai.com", "openai"),
    ("openai.azure.com", "azure"),
    (".azure.com", "azure"),
    ("api.anthropic.com", "anthropic"),
    ("bedrock-runtime", "bedrock"),
    ("generativelanguage.googleapis.com", "google"),
    ("aiplatform.googleapis.com", "google"),
    ("api.deepseek.com", "deepseek"),
    ("api.groq.com", "groq"),
    ("api.mistral.ai", "mistral"),
    ("api.x.ai", "xai"),
    ("api.together.xyz", "together_ai"),
    ("api.fireworks.ai", "fireworks_ai"),
    ("api.perplexity.ai", "perplexity"),
    ("api.cohere", "cohere"),
)

# Model name prefixes -> the provider that makes the model, for names without a `vendor/` prefix (a name with one
# says nothing about which gateway served it). `models/gemini-...` is how the Gemini SDKs name models.
MODEL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-", "openai"),
    ("chatgpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("text-embedding-", "openai"),
    ("dall-e", "openai"),
    ("whisper", "openai"),
    ("tts-", "openai"),
    ("claude", "anthropic"),
    ("gemini", "google"),
    ("models/gemini", "google"),
    ("deepseek", "deepseek"),
    ("mistral", "mistral"),
    ("open-mistral", "mistral"),
    ("open-mixtral", "mistral"),
    ("codestral", "mistral"),
    ("ministral", "mistral"),
    ("pixtral", "mistral"),
    ("magistral", "mistral"),
    ("devstral", "mistral"),
    ("grok", "xai"),
    ("command", "cohere"),
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def name_sql(expr: str) -> str:
    """SQL: another system's provider name as this product's (NAMES), else the name lower-cased; NULL stays NULL."""
    value = f"lower(trim(({expr})::varchar))"
    whens = " ".join(f"when {_literal(key)} then {_literal(name)}" for key, name in NAMES.items())
    return f"(case {value} {whens} else nullif({value}, '') end)"


def host_sql(expr: str) -> str:
    """SQL: the provider an API base URL or server address points to, else NULL."""
    value = f"lower(({expr})::varchar)"
    whens = " ".join(f"when contains({value}, {_literal(part)}) then {_literal(name)}" for part, name in HOSTS)
    return f"(case {whens} end)"


def model_sql(expr: str) -> str:
    """SQL: the provider that makes a model, from its name (MODEL_PREFIXES), else NULL."""
    value = f"lower(trim(({expr})::varchar))"
    whens = " ".join(
        f"when starts_with({value}, {_literal(prefix)}) then {_literal(name)}" for prefix, name in MODEL_PREFIXES
    )
    return f"(case when contains({value}, '/') and not starts_with({value}, 'models/') then null {whens} end)"
