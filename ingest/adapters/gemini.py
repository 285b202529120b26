"""Google Gemini generateContent (Gemini API and Vertex AI): envelope + the response under `response`, as the
REST API returns it (camelCase `usageMetadata`) or as the google-genai SDK dumps it (`response.model_dump()`:
snake_case `usage_metadata`); both casings are read, field by field.

promptTokenCount already includes cachedContentTokenCount; toolUsePromptTokenCount (the results of built-in
tools such as search or code execution fed back to the model) is prompt input counted OUTSIDE promptTokenCount,
and thoughtsTokenCount is output counted OUTSIDE candidatesTokenCount (totalTokenCount = prompt + tool-use prompt +
candidates + thoughts). So input = promptTokenCount + toolUsePromptTokenCount, output = candidatesTokenCount +
thoughtsTokenCount, cache read = cachedContentTokenCount, reasoning = thoughtsTokenCount. Provider: the envelope,
else `google`; model = modelVersion; message_id = responseId; finish_reason = lower-cased candidates[0].finishReason.
"""

from __future__ import annotations

from ingest.adapters import (
    Adapter,
    MappingContext,
    Signature,
    envelope_fields,
    envelope_structure,
    sum_present,
    token_counts,
)

# REST field name -> google-genai SDK field name
FIELDS = {
    "promptTokenCount": "prompt_token_count",
    "candidatesTokenCount": "candidates_token_count",
    "cachedContentTokenCount": "cached_content_token_count",
    "thoughtsTokenCount": "thoughts_token_count",
    "toolUsePromptTokenCount": "tool_use_prompt_token_count",
}

STRUCTURE = envelope_structure(
    {
        "responseId": "VARCHAR",
        "response_id": "VARCHAR",
        "modelVersion": "VARCHAR",
        "model_version": "VARCHAR",
        "candidates": [{"finishReason": "VARCHAR", "finish_reason": "VARCHAR"}],
        "usageMetadata": {name: "VARCHAR" for name in FIELDS},
        "usage_metadata": {name: "VARCHAR" for name in FIELDS.values()},
    }
)


def _count(name: str) -> str:
    return f"coalesce(d.response.usageMetadata.{name}, d.response.usage_metadata.{FIELDS[name]})"


def _mapping(context: MappingContext) -> dict[str, str]:
    response_id = "coalesce(d.response.responseId, d.response.response_id)"
    finish = "coalesce(d.response.candidates[1].finishReason, d.response.candidates[1].finish_reason)"
    return {
        **envelope_fields(context, response_id),
        "provider": "coalesce(nullif(d.provider, ''), 'google')",
        "model": "coalesce(d.model, d.response.modelVersion, d.response.model_version)",
        **token_counts(
            sum_present(_count("promptTokenCount"), _count("toolUsePromptTokenCount")),
            sum_present(_count("candidatesTokenCount"), _count("thoughtsTokenCount")),
            cache_read=_count("cachedContentTokenCount"),
            reasoning=_count("thoughtsTokenCount"),
        ),
        "finish_reason": f"coalesce(d.finish_reason, lower({finish}))",
    }


ADAPTER = Adapter(
    name="gemini",
    record_type="usage",
    description="envelope + Gemini `response.usageMetadata` (REST) or `usage_metadata` (google-genai SDK dump)",
    signature=Signature(any_of=("response.usageMetadata", "response.usage_metadata")),
    structure=STRUCTURE,
    mapping=_mapping,
    usage_hint="gemini reads response.usageMetadata (or usage_metadata) token counts",
)
