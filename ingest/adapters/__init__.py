"""Adapters: map foreign record shapes (provider usage objects, OTel spans, gateway logs) onto the raw
contract.

An adapter is declarative: the `signature` that identifies its shape (detect.py), the JSON `structure` DuckDB's
`json_transform` parses each record into (a struct named `d`; for CSV/Parquet sources `d` is built from the file's
columns), optional `derived` values computed once per record from `d`, and a `mapping` from each contract column
to a SQL expression over `d`, the derived values and `_line`. Values stay as text (or the file's own type) here;
converting and checking types is validation's job, so a bad value is quarantined with the right reason instead
of being silently turned into NULL. Everything runs as one set-based DuckDB query per file: no Python loop
over records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.attribution import Attribution
from ingest.contract import RECORD_TYPES, RecordType
from ingest.readers import BATCH_FILE, BATCH_FILE_STRIDE

INT_PATTERN = r"^\s*-?[0-9]+\s*$"


@dataclass(frozen=True)
class Signature:
    """What identifies a shape in the keys a file's first records show (detect.sample_profile): every key of
    `all_of`, at least one of `any_of` (when given), none of `none_of`. Keys are dotted paths (`response.usage.
    prompt_tokens`); `path=value` entries stand for a discriminating value (`response.object=response`)."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()

    def mismatch(self, keys: set[str]) -> str | None:
        """Why records with these keys are not of this shape, or None when they are."""
        missing = [key for key in self.all_of if key not in keys]
        if missing:
            return "no " + " / ".join(missing)
        if self.any_of and not keys & set(self.any_of):
            return "none of " + ", ".join(self.any_of)
        present = [key for key in self.none_of if key in keys]
        if present:
            return "has " + ", ".join(present)
        return None

    def describe(self) -> str:
        parts = []
        if self.all_of:
            parts.append(" + ".join(f"`{key}`" for key in self.all_of))
        if self.any_of:
            parts.append("any of " + ", ".join(f"`{key}`" for key in self.any_of))
        if self.none_of:
            parts.append("no " + ", ".join(f"`{key}`" for key in self.none_of))
        return "; ".join(parts)


@dataclass(frozen=True)
class MappingContext:
    """What a mapping may depend on besides the record: the file and the run's attribution settings."""

    path: Path
    record_type: RecordType
    attribution: Attribution


Mapping_ = Callable[[MappingContext], dict[str, str]]


@dataclass(frozen=True)
class Adapter:
    """One input shape. `record_type` None means the canonical adapter (any record type)."""

    name: str
    record_type: str | None
    description: str
    signature: Signature = field(default_factory=Signature)
    structure: dict[str, object] = field(default_factory=dict)
    mapping: Mapping_ | None = None
    # Values computed once per record from `d` (name -> SQL), usable by name in the mapping.
    derived: Mapping_ | None = None
    # SQL over `d` (and the derived values) telling which parsed rows are records at all (Langfuse: not its SPAN
    # observations); rows that cannot be parsed are always records, so they are quarantined.
    record_filter: str | None = None
    # A full custom query (OTel: one JSON document holds many spans). Returns SQL over `_src`.
    custom_sql: Callable[[MappingContext], str] | None = None
    # What the adapter reads for token counts, for the message of a record where it finds none.
    usage_hint: str = ""
    # True for shapes that carry none of this product's ids: a record left without workspace/user after
    # attribution is `missing_attribution` (with the flags that fix it) rather than `missing_field`.
    foreign: bool = True

    def select_sql(
        self,
        path: Path,
        record_type: RecordType,
        source_columns: dict[str, str],
        is_json: bool,
        attribution: Attribution | None = None,
    ) -> str:
        """SQL over `_src` giving `_rec, _line, _raw, _unparseable`, every contract column of `record_type` and the
        hint columns validation uses in its messages (validate.USAGE_HINT, validate.ATTRIBUTION_HINT)."""
        context = MappingContext(path, record_type, attribution or Attribution())
        hints = self.hint_columns(context)
        if self.custom_sql is not None:
            return f"select *, {hints} from ({self.custom_sql(context)})" if hints else self.custom_sql(context)
        assert self.mapping is not None
        mapping = self.mapping(context)
        columns = ",\n    ".join(f"{mapping.get(name, 'null::varchar')} as {name}" for name in record_type.columns)
        derived = self.derived(context) if self.derived else {}
        extra = "".join(f", {expr} as {name}" for name, expr in derived.items())
        if is_json:
            structure = json.dumps(self.structure).replace("'", "''")
            parsed = f"try(json_transform(_raw, '{structure}'))"
            unparseable = "(d is null or not starts_with(ltrim(_raw), '{'))"
            parsed, alias = f"{parsed} as d", ""
        else:
            # CSV/Parquet: the row's own columns (absent ones NULL text) under the table alias `d`, so `d.field`
            # reads the column itself; no struct is built, and a scan reads only the columns it uses.
            items = [
                f"{_quote(key) if key in source_columns else 'null::varchar'} as {_quote(key)}"
                for key in self.structure
            ]
            parsed, alias = ", ".join(items), " as d"
            unparseable = "false"
        item = "_item" if "_item" in source_columns else "null::bigint"
        keep = f"where {unparseable} or ({self.record_filter})" if self.record_filter else ""
        record = "_line * 1000000000 + coalesce(_item, 0)"
        file_column = ""
        if BATCH_FILE in source_columns:  # a batch of files (ingest/batch.py): the record number says which file
            record, file_column = f"{BATCH_FILE}::hugeint * {BATCH_FILE_STRIDE}::hugeint + {record}", f", {BATCH_FILE}"
        row = f"select _line{file_column}, {item} as _item, _raw{', ' + parsed if parsed else ''} from _src"
        return (
            f"select {record} as _rec, _line, _raw, {unparseable} as _unparseable,"
            f"\n    {columns}{', ' + hints if hints else ''}\n"
            f"from (select *{extra} from ({row}){alias}){alias} {keep}"
        )

    def hint_columns(self, context: MappingContext) -> str:
        if context.record_type.name != "usage":
            return ""
        hints = [f"{sql_literal(self.usage_hint or self.name + ' found no usage')} as _usage_hint"]
        if self.foreign:
            hints.append(f"{sql_literal(context.attribution.hint())} as _attribution_hint")
        return ", ".join(hints)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    """A Python string as a SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def flat_structure(record_type: RecordType) -> dict[str, object]:
    """Contract columns as json_transform types: scalars as text, tags a text list, metadata kept as JSON."""
    special = {"tags": ["VARCHAR"], "metadata": "JSON"}
    return {name: special.get(name, "VARCHAR") for name in record_type.columns}


def sum_tokens(main: str, *parts: str) -> str:
    """SQL for main + parts (parts default 0) over text values; a non-integer operand is passed through as
    text (e.g. `12 + lots`) so validation quarantines it as wrong_type instead of silently dropping it."""
    operands = [main, *parts]
    all_int = " and ".join(f"({op} is null or regexp_matches({op}::varchar, '{INT_PATTERN}'))" for op in operands)
    total = " + ".join([f"{main}::bigint", *(f"coalesce({p}::bigint, 0)" for p in parts)])
    text = "concat_ws(' + ', " + ", ".join(f"{op}::varchar" for op in operands) + ")"
    return f"(case when {main} is null then null when {all_int} then ({total})::varchar else {text} end)"


def sum_present(*parts: str) -> str:
    """SQL for the sum of the parts that are present, as text like `sum_tokens`; NULL when none is (a usage object
    without any of these counts reports no tokens, which is not 0)."""
    first, *rest = parts
    total = sum_tokens(f"coalesce({first}, '0')", *rest)
    return f"(case when coalesce({', '.join(parts)}) is null then null else {total} end)"


def list_sum_tokens(items: str, *fields: str) -> str:
    """SQL for the sum over a list of structs of the given fields (absent = 0), as text like `sum_tokens`: NULL for
    an empty or absent list, the operands' text when one is not an integer (so it is quarantined as wrong_type)."""
    terms = " + ".join(f"coalesce(x.{name}::bigint, 0)" for name in fields)
    checks = " and ".join(
        f"(x.{name} is null or regexp_matches(x.{name}::varchar, '{INT_PATTERN}'))" for name in fields
    )
    text = "concat_ws(' + ', " + ", ".join(f"x.{name}::varchar" for name in fields) + ")"
    return (
        f"(case when len(coalesce({items}, [])) = 0 then null "
        f"when list_bool_and(list_transform({items}, lambda x: {checks})) "
        f"then list_sum(list_transform({items}, lambda x: {terms}))::varchar "
        f"else array_to_string(list_transform({items}, lambda x: {text}), ' + ') end)"
    )


def token_counts(
    input_sql: str,
    output_sql: str,
    *,
    cache_read: str | tuple[str, ...] = (),
    cache_write: str | tuple[str, ...] = (),
    cache_write_1h: str | tuple[str, ...] = (),
    reasoning: str | tuple[str, ...] = (),
) -> dict[str, str]:
    """The six token columns of a usage mapping. Input and output are the SQL given (NULL: the record reports no
    tokens, which validation quarantines); each part is the first of its SQL alternatives that is present, else
    '0' (a shape that does not report a part has none of it)."""

    def part(alternatives: str | tuple[str, ...]) -> str:
        listed = (alternatives,) if isinstance(alternatives, str) else alternatives
        return f"coalesce({', '.join(listed)}, '0')" if listed else "'0'"

    return {
        "input_tokens": input_sql,
        "output_tokens": output_sql,
        "cache_read_input_tokens": part(cache_read),
        "cache_creation_input_tokens": part(cache_write),
        "cache_creation_1h_input_tokens": part(cache_write_1h),
        "reasoning_output_tokens": part(reasoning),
    }


def envelope_mapping(record_type: RecordType) -> dict[str, str]:
    """Envelope fields that keep their contract name: `d.<name>`."""
    return {name: f"d.{name}" for name in record_type.columns}


def envelope_structure(response: dict[str, object]) -> dict[str, object]:
    """The envelope (contract fields plus the `base_url` hint) with the provider's object under `response`."""
    return {**flat_structure(RECORD_TYPES["usage"]), "base_url": "VARCHAR", "response": response}


def attribute_lookup(attributes: Mapping[str, str]) -> Callable[[str], str | None]:
    """Attribution lookup for adapters with a fixed set of attributes (name -> SQL)."""
    return attributes.get


def envelope_ids(context: MappingContext, attributes: Mapping[str, str]) -> dict[str, str]:
    """workspace_id / user_id of an envelope record after attribution (its own ids, the rules, the defaults)."""
    lookup = attribute_lookup(attributes)
    return {
        "workspace_id": context.attribution.id_sql("workspace", "d.workspace_id", lookup),
        "user_id": context.attribution.id_sql("user", "d.user_id", lookup),
    }


ENVELOPE_ATTRIBUTES = {
    "workspace_id": "d.workspace_id",
    "user_id": "d.user_id",
    "conversation_id": "d.conversation_id",
}


def envelope_fields(context: MappingContext, response_id: str | None = None) -> dict[str, str]:
    """The mapping every envelope adapter starts from: the envelope's own fields (envelope_mapping), its ids after
    attribution (envelope_ids) and, given the SQL of the provider object's own id (`response_id`), that id as
    event_id and message_id where the envelope carries none. The adapter's entries for its shape follow."""
    fields = {**envelope_mapping(context.record_type), **envelope_ids(context, ENVELOPE_ATTRIBUTES)}
    if response_id is not None:
        fields["event_id"] = f"coalesce(d.event_id, {response_id})"
        fields["message_id"] = f"coalesce(d.message_id, {response_id})"
    return fields


def registry() -> dict[str, Adapter]:
    """Every adapter, in detection order (detect.py: the first whose signature matches wins)."""
    from ingest.adapters import (
        anthropic,
        azure_trace,
        bedrock,
        canonical,
        gemini,
        helicone,
        langfuse,
        litellm,
        openai,
        openai_responses,
        otel,
    )

    adapters = [
        otel.ADAPTER,
        litellm.ADAPTER,
        helicone.ADAPTER,
        langfuse.ADAPTER,
        azure_trace.ADAPTER,
        openai_responses.ADAPTER,
        anthropic.ADAPTER,
        bedrock.ADAPTER,
        gemini.ADAPTER,
        openai.ADAPTER,
        canonical.ADAPTER,
    ]
    return {adapter.name: adapter for adapter in adapters}


__all__ = [
    "RECORD_TYPES",
    "Adapter",
    "MappingContext",
    "Signature",
    "envelope_mapping",
    "flat_structure",
    "list_sum_tokens",
    "registry",
    "sum_present",
    "sql_literal",
    "sum_tokens",
    "token_counts",
]
