"""Azure LLM inference trace 2023 (Microsoft, CC-BY-4.0; examples/azure_llm_inference_2023/).

Columns TIMESTAMP (no zone → UTC), ContextTokens, GeneratedTokens. The trace has no tenants, users or model
names, so the mapping is fixed and deterministic:
* a file whose name contains `code` → workspace `azure-code`, model `gpt-4o`; any other (the `conv` file) →
  workspace `azure-conv`, model `gpt-4o-mini`; provider `azure`;
* event_id = `<workspace>-<line>` (line = the CSV's physical line, header = 1), message_id the same;
* user_id = `<workspace>-user-NN`, NN = (line × 7919) mod 50 — fifty users spread evenly;
* input_tokens = ContextTokens, output_tokens = GeneratedTokens, no cache or reasoning tokens; status success.
"""

from __future__ import annotations

from pathlib import Path

from ingest.adapters import Adapter, MappingContext, Signature, token_counts

STRUCTURE: dict[str, object] = {
    "TIMESTAMP": "VARCHAR",
    "ContextTokens": "VARCHAR",
    "GeneratedTokens": "VARCHAR",
}


def workspace_and_model(path: Path) -> tuple[str, str]:
    return ("azure-code", "gpt-4o") if "code" in path.name.lower() else ("azure-conv", "gpt-4o-mini")


def _mapping(context: MappingContext) -> dict[str, str]:
    workspace, model = workspace_and_model(context.path)
    event_id = f"'{workspace}-' || _line::varchar"
    return {
        "event_id": event_id,
        "occurred_at": "d.TIMESTAMP",
        "workspace_id": f"'{workspace}'",
        "user_id": f"'{workspace}-user-' || lpad(((_line * 7919) % 50)::varchar, 2, '0')",
        "message_id": event_id,
        "provider": "'azure'",
        "model": f"'{model}'",
        "operation": "'chat'",
        **token_counts("d.ContextTokens", "d.GeneratedTokens"),
        "status": "'success'",
    }


ADAPTER = Adapter(
    name="azure_trace",
    record_type="usage",
    description="Azure LLM inference trace 2023 CSV (TIMESTAMP, ContextTokens, GeneratedTokens)",
    signature=Signature(all_of=("TIMESTAMP", "ContextTokens", "GeneratedTokens")),
    structure=STRUCTURE,
    mapping=_mapping,
    usage_hint="azure_trace reads ContextTokens / GeneratedTokens",
    foreign=False,
)
