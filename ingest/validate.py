"""Rules → typed records or quarantine, as one set-based DuckDB query per file.

Input: relation `_mapped` (`_line, _raw, _unparseable` and every contract column of the record type, as text
or in the file's own types). Output: view `_checked` with the contract columns converted to contract types,
defaults applied, and `_reason_code` / `_reason_message` / `_raw_record` set on rejected records (first
failing rule wins, in the order of REASON_CODES). `_checked` is a view, computed once by the loader's insert
of the valid records; on request (`materialize_verdicts`, `materialize_rejected`) the temp tables `_verdicts`
(record number, key, reason code of every record) and `_rejected` (the rejected records with message and raw
text), which the loader only builds when a file may hold duplicates or has rejected records.
Duplicates are not a validation matter (see load.py).
"""

from __future__ import annotations

import duckdb

from ingest.contract import ADDED_USAGE_COLUMNS, RecordType

# Reason codes, in the order they are checked (the first rule that fails names the reason). What each means is
# written once, in the table of docs/ingest.md ("Validation and quarantine"); a test keeps the two equal.
REASON_CODES: tuple[str, ...] = (
    "unparseable",
    "invalid_utf8",
    "field_too_large",
    "no_token_counts",
    "missing_field",
    "missing_attribution",
    "wrong_type",
    "bad_timestamp",
    "absurd_timestamp",
    "negative_tokens",
    "cache_exceeds_input",
    "cache_1h_exceeds_cache_write",
    "reasoning_exceeds_output",
    "invalid_value",
)

MAX_FIELD_BYTES = 65_536
MAX_METADATA_BYTES = 262_144
MAX_RAW_CHARS = 8_192  # quarantine keeps this much of an oversized raw record, then a marker
EARLIEST = "2015-01-01"
TOKEN_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "cache_creation_1h_input_tokens",
    "reasoning_output_tokens",
)
# The totals: a record with neither was reported without usage (see `_count_rules`).
COUNT_COLUMNS = ("input_tokens", "output_tokens")
# Optional text columns an adapter may add to `_mapped` (adapters/__init__.py): what it looked for when a record has
# no token counts, and which flags supply the workspace/user ids a foreign shape does not carry.
USAGE_HINT = "_usage_hint"
ATTRIBUTION_HINT = "_attribution_hint"
ATTRIBUTION_FIELDS = ("workspace_id", "user_id")
_TEXT_TYPES = ("VARCHAR", "JSON")


def _is_text(source_type: str) -> bool:
    return source_type in _TEXT_TYPES


def _typed(name: str, target: str, source_type: str) -> tuple[str, str | None]:
    """(SQL converting raw column `name` to `target`, SQL that is true when the value has the wrong type)."""
    raw = f'"{name}"'
    if source_type == "NULL":
        return f"null::{target}", None
    if target == "VARCHAR":
        return f"nullif(trim({raw}::varchar), '')", None
    if target == "BIGINT":
        if _is_text(source_type):
            text = f"{raw}::varchar"
            # try_cast alone would round 1.5 to 2 and read 1e3: reject any decimal point or exponent first.
            typed = (
                f"case when not (contains({text}, '.') or contains({text}, 'e') or contains({text}, 'E')) "
                f"then try_cast({text} as bigint) end"
            )
        elif source_type in ("DOUBLE", "FLOAT"):
            typed = f"case when {raw} = floor({raw}) then try_cast({raw} as bigint) end"
        else:
            typed = f"try_cast({raw} as bigint)"
        return typed, f"({raw} is not null and ({typed}) is null)"
    if target == "TIMESTAMPTZ":
        return f"try_cast({raw} as timestamptz)", None  # failures are bad_timestamp, not wrong_type
    if target.startswith("DECIMAL"):
        # Text and floats go through their shortest decimal text, so JSON 0.1 stays exactly 0.1.
        if _is_text(source_type) or source_type in ("DOUBLE", "FLOAT"):
            typed = f"try_cast(trim({raw}::varchar) as {target})"
        else:
            typed = f"try_cast({raw} as {target})"
        return typed, f"({raw} is not null and ({typed}) is null)"
    if target == "VARCHAR[]":
        if _is_text(source_type):
            text = f"{raw}::varchar"
            typed = (
                f"case when starts_with(trim({text}), '[') then try_cast(try_cast({text} as json) as "
                "varchar[]) "
                f"when trim({text}) = '' then null else string_split({text}, ';') end"
            )
        else:
            typed = f"try_cast({raw} as varchar[])"
        return typed, f"({raw} is not null and ({typed}) is null)"
    if target == "JSON":
        typed = (
            f"case when json_valid({raw}::varchar) then {raw}::json end" if _is_text(source_type) else f"to_json({raw})"
        )
        return typed, f"({raw} is not null and ({typed}) is null)"
    typed = f"try_cast({raw} as {target})"
    return typed, f"({raw} is not null and ({typed}) is null)"


def _any(conditions: dict[str, str], label: str) -> tuple[str, str]:
    """(condition true when any holds, message listing the fields for which it holds)."""
    if not conditions:
        return "false", "''"
    condition = " or ".join(f"coalesce({c}, false)" for c in conditions.values())
    parts = ", ".join(f"case when coalesce({c}, false) then '{field}' end" for field, c in conditions.items())
    return f"({condition})", f"'{label} ' || concat_ws(', ', {parts})"


def _domain_rules(record_type: RecordType) -> dict[str, str]:
    """invalid_value conditions over converted columns."""
    if record_type.name == "usage":
        return {
            "status": "t__status not in ('success', 'error')",
            "latency_ms": "t__latency_ms < 0",
            "time_to_first_token_ms": "t__time_to_first_token_ms < 0",
            "provider_cost_usd": "t__provider_cost_usd < 0",
        }
    if record_type.name == "feedback":
        return {
            "kind": "t__kind not in ('thumbs', 'rating', 'category')",
            "value": (
                "(t__kind = 'thumbs' and lower(t__value) not in ('up', 'down', 'true', 'false')) "
                "or (t__kind = 'rating' and not regexp_matches(t__value, '^[1-5]$'))"
            ),
            "source": "t__source not in ('user', 'annotation', 'eval')",
        }
    if record_type.name == "workspace":
        return {
            "monthly_budget_usd": "t__monthly_budget_usd < 0",
            "timezone": "t__timezone not in (select name from pg_timezone_names())",
        }
    return {}


def _defaults(record_type: RecordType) -> dict[str, str]:
    if record_type.name == "usage":
        return {**{name: "0" for name in TOKEN_COLUMNS}, "operation": "'chat'", "status": "'success'"}
    if record_type.name == "feedback":
        return {"source": "'user'"}
    return {}


def _typed_columns(record_type: RecordType, source_types: dict[str, str]) -> tuple[dict[str, str], dict, dict]:
    """(converted SQL per column with defaults applied, wrong_type conditions, field_too_large conditions)."""
    typed_exprs: dict[str, str] = {}
    wrong: dict[str, str] = {}
    too_large: dict[str, str] = {}
    defaults = _defaults(record_type)
    has_counts = _has_counts_sql(source_types)
    for name, target in record_type.columns.items():
        source_type = source_types.get(name, "NULL")
        expr, wrong_condition = _typed(name, target, source_type)
        if name in defaults:
            expr = f"coalesce({expr}, {defaults[name]})"
        if record_type.name == "usage" and name in COUNT_COLUMNS:
            # No count at all stays NULL (kept only for failed calls, see _count_rules): never a silent 0/0.
            expr = f"case when {has_counts} then {expr} end"
        typed_exprs[name] = expr
        if wrong_condition:
            wrong[name] = wrong_condition
        if _is_text(source_type):
            limit = MAX_METADATA_BYTES if name == "metadata" else MAX_FIELD_BYTES
            too_large[name] = f'strlen("{name}"::varchar) > {limit}'
    return typed_exprs, wrong, too_large


def _has_counts_sql(source_types: dict[str, str]) -> str:
    present = [f'"{name}" is not null' for name in COUNT_COLUMNS if source_types.get(name, "NULL") != "NULL"]
    return "(" + " or ".join(present) + ")" if present else "false"


def _missing_rules(record_type: RecordType, source_types: dict[str, str]) -> list[tuple[str, tuple[str, str]]]:
    """missing_field, then (for adapters of foreign shapes) missing_attribution with the flags that fix it."""

    # Missing = absent in the input (a present but unconvertible value is wrong_type / bad_timestamp instead).
    def absent(name: str) -> str:
        return f'("{name}" is null or "{name}"::varchar = \'\')'

    foreign = ATTRIBUTION_HINT in source_types
    ids = ATTRIBUTION_FIELDS if foreign else ()
    missing = {name: absent(name) for name in record_type.required if name not in ids}
    rules = [("missing_field", _any(missing, "missing required field:"))]
    attribution = {name: absent(name) for name in record_type.required if name in ids}
    if attribution:
        condition, fields = _any(attribution, "no")
        message = f"{fields} || ' for this record: ' || {ATTRIBUTION_HINT}"
        rules.append(("missing_attribution", (condition, message)))
    return rules


def _count_rules(source_types: dict[str, str]) -> list[tuple[str, tuple[str, str]]]:
    """A successful call without any token count is quarantined: it would otherwise be priced as $0. A failed call
    without one is kept, with NULL counts (a provider reports no usage for a call that failed), so the cost engine
    marks it unpriced ('missing_token_counts') and the error still counts in error rates."""
    hint = USAGE_HINT if USAGE_HINT in source_types else "'the record has no input_tokens or output_tokens'"
    condition = f"(not {_has_counts_sql(source_types)} and t__status is distinct from 'error')"
    message = f"'no token counts found: ' || {hint} || '; is it the right --adapter? (README.md#accepted-input-shapes)'"
    return [("no_token_counts", (condition, message))]


def _token_rules() -> list[tuple[str, tuple[str, str]]]:
    cache = "(t__cache_read_input_tokens + t__cache_creation_input_tokens)"
    return [
        ("negative_tokens", _any({name: f"t__{name} < 0" for name in TOKEN_COLUMNS}, "negative token count in:")),
        (
            "cache_exceeds_input",
            (
                f"({cache} > t__input_tokens)",
                f"'cache_read_input_tokens + cache_creation_input_tokens (' || {cache}::varchar "
                "|| ') > input_tokens (' || t__input_tokens::varchar || ')'",
            ),
        ),
        (
            "cache_1h_exceeds_cache_write",
            (
                "(t__cache_creation_1h_input_tokens > t__cache_creation_input_tokens)",
                "'cache_creation_1h_input_tokens (' || t__cache_creation_1h_input_tokens::varchar "
                "|| ') > cache_creation_input_tokens (' || t__cache_creation_input_tokens::varchar || ')'",
            ),
        ),
        (
            "reasoning_exceeds_output",
            (
                "(t__reasoning_output_tokens > t__output_tokens)",
                "'reasoning_output_tokens (' || t__reasoning_output_tokens::varchar || ') > output_tokens (' "
                "|| t__output_tokens::varchar || ')'",
            ),
        ),
    ]


def _rules(
    record_type: RecordType, source_types: dict[str, str], wrong: dict, too_large: dict, load_started_at: str
) -> list[tuple[str, tuple[str, str]]]:
    """(reason code, (condition, message SQL)) in the order they are checked (REASON_CODES)."""
    timestamps = [name for name, target in record_type.columns.items() if target == "TIMESTAMPTZ"]
    bad_ts = {name: f'("{name}" is not null and t__{name} is null)' for name in timestamps}
    absurd_ts = {
        name: (
            f"(t__{name} < timestamptz '{EARLIEST}' or t__{name} > timestamptz '{load_started_at}' + interval 1 day)"
        )
        for name in timestamps
    }
    usage = record_type.name == "usage"
    return [
        ("field_too_large", _any(too_large, f"field larger than {MAX_FIELD_BYTES} bytes:")),
        # Before missing fields: a record of another shape (wrong --adapter) usually lacks them too, and the
        # missing counts say what is really wrong.
        *(_count_rules(source_types) if usage else []),
        *_missing_rules(record_type, source_types),
        ("wrong_type", _any(wrong, "value of the wrong type in:")),
        ("bad_timestamp", _any(bad_ts, "unparseable timestamp (use RFC 3339 with offset) in:")),
        ("absurd_timestamp", _any(absurd_ts, f"timestamp before {EARLIEST} or more than 1 day in the future in:")),
        *(_token_rules() if usage else []),
        ("invalid_value", _any(_domain_rules(record_type), "value outside its allowed domain in:")),
    ]


def _changed_sql(record_type: RecordType) -> str:
    """True when a converted value differs from a plain cast of the raw value (see `check`); a column added to the
    contract later compares with its default, as its registered file does (raw_files.py)."""
    same = []
    for name, target in record_type.columns.items():
        plain = f'try_cast("{name}" as {target})'
        if record_type.name == "usage" and name in ADDED_USAGE_COLUMNS:
            plain = f"coalesce({plain}, {ADDED_USAGE_COLUMNS[name]})"
        same.append(f"t__{name} is not distinct from {plain}")
    return f", not ({' and '.join(same)}) as _changed"


def check(
    con: duckdb.DuckDBPyConnection,
    record_type: RecordType,
    load_started_at: str,
    compare_plain_cast: bool = False,
) -> str:
    """Create `_checked` from `_mapped` (see module docstring). `load_started_at` is an ISO timestamp literal.
    Returns SQL over `_mapped` converting the record key exactly as `_checked` does (so a check on the raw key
    column holds for the converted one, without computing the other columns or any rule).
    With `compare_plain_cast`,
    `_checked._changed` is true on records where a converted value differs from a plain cast of the raw value
    to its contract type (trimmed, emptied, defaulted), so the same scan tells whether the file's own values,
    cast, are exactly what would be loaded (raw_files.py)."""
    source_types = {row[0]: row[1] for row in con.execute("describe _mapped").fetchall()}
    typed_exprs, wrong, too_large = _typed_columns(record_type, source_types)
    rules = _rules(record_type, source_types, wrong, too_large, load_started_at)
    code_case = " ".join(f"when {condition} then '{code}'" for code, (condition, _) in rules)
    # Messages and raw text are only computed for rejected rows: CASE on the code evaluates each THEN branch
    # on the rows that matched it, so valid rows pay nothing for them.
    message_case = " ".join(f"when '{code}' then {message}" for code, (_, message) in rules)
    typed_select = ", ".join(f"{expr} as t__{name}" for name, expr in typed_exprs.items())
    contract_select = ", ".join(f"t__{name} as {name}" for name in record_type.columns)
    raw_fields = [name for name in record_type.columns if name in source_types]
    changed = _changed_sql(record_type) if compare_plain_cast else ""
    con.execute(
        f"""
        create or replace temp view _checked as
        with typed as (select *, {typed_select} from _mapped),
        coded as (
            select *, case when _unparseable then 'unparseable' {code_case} end as _reason_code from typed
        )
        select _rec, _line, {contract_select}, _reason_code,
            case _reason_code
                when 'unparseable' then 'not a JSON object (invalid JSON); fix or re-export the line'
                {message_case} end as _reason_message,
            case when _reason_code is not null then {raw_record_sql(raw_fields)} end as _raw_record{changed}
        from coded
        """
    ).fetchall()
    return _typed(record_type.key, record_type.columns[record_type.key], source_types.get(record_type.key, "NULL"))[0]


def materialize_verdicts(con: duckdb.DuckDBPyConnection, record_type: RecordType) -> None:
    """`_verdicts(_rec, _key, _reason_code)` for every record of `_checked`: one narrow pass that dedupe reads
    when the file may hold duplicates (the loader skips it for files whose keys are unique and new)."""
    con.execute(
        f"create or replace temp table _verdicts as select _rec, {record_type.key} as _key, _reason_code from _checked"
    ).fetchall()


def materialize_rejected(con: duckdb.DuckDBPyConnection) -> int:
    """`_rejected(_rec, _line, _reason_code, _reason_message, _raw_record)`: the rejected records with message and
    raw text; returns how many. The loader calls it only when a file has rejected records."""
    con.execute(
        "create or replace temp table _rejected as "
        "select _rec, _line, _reason_code, _reason_message, _raw_record from _checked where _reason_code is not null"
    ).fetchall()
    return con.execute("select count(*) from _rejected").fetchall()[0][0]


def empty_rejected(con: duckdb.DuckDBPyConnection) -> None:
    """An empty `_rejected` (the file has no rejected records)."""
    con.execute(
        "create or replace temp table _rejected (_rec BIGINT, _line BIGINT, _reason_code VARCHAR, "
        "_reason_message VARCHAR, _raw_record VARCHAR)"
    ).fetchall()


def raw_record_sql(raw_fields: list[str]) -> str:
    """SQL for the quarantine's raw text: the line itself, or the row's mapped values as JSON (CSV/Parquet),
    truncated to MAX_RAW_CHARS with a marker when larger."""
    fields = ", ".join(f"'{name}': \"{name}\"" for name in raw_fields)
    row = f"to_json({{{fields}}})::varchar" if fields else "null"
    return truncate_sql(f"coalesce(_raw, {row})")


def truncate_sql(raw: str) -> str:
    """SQL keeping at most MAX_RAW_CHARS of `raw`, with a marker saying how long it was."""
    return (
        f"case when strlen({raw}) > {MAX_RAW_CHARS} then left({raw}, {MAX_RAW_CHARS}) || "
        f"'...[truncated by ingest: ' || length({raw})::varchar || ' characters in total]' else {raw} end"
    )
