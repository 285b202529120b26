"""The raw contract: the one place that says what lands in schema `raw` of the build database.

Every reader and adapter maps its input onto these shapes; the loader creates the tables from here and dbt's
sources (models/staging/raw/_raw__sources.yml) describe the same columns. Timestamps are UTC TIMESTAMPTZ,
money is DECIMAL, identifiers are strings.
"""

from __future__ import annotations

from dataclasses import dataclass

RAW_SCHEMA = "raw"

# Money per call: wide enough for any real call, 18 decimal places (the cost rules ask for at least 12).
MONEY = "DECIMAL(38,18)"

# Lineage columns every raw record table carries, filled by the loader.
LINEAGE_COLUMNS: dict[str, str] = {
    "load_id": "VARCHAR NOT NULL",  # the load_manifest row that brought this record
    "source_file": "VARCHAR NOT NULL",  # path of the landing file as given to ingest
    "source_line": "BIGINT NOT NULL",  # 1-based line (JSONL/CSV data row) or row number (Parquet)
    "ingested_at": "TIMESTAMPTZ NOT NULL",  # when the loader committed the record
}


@dataclass(frozen=True)
class RecordType:
    """One record type of the raw contract: its table, key and columns (name -> DuckDB type)."""

    name: str
    table: str
    key: str
    columns: dict[str, str]
    required: tuple[str, ...]
    # When set, `table` is a view: this table's rows plus the Parquet files ingest registered (raw_files.py).
    rows_table: str | None = None

    @property
    def insert_table(self) -> str:
        """The table records are appended to (`raw.<insert_table>`)."""
        return self.rows_table or self.table

    def ddl(self) -> str:
        cols = {**self.columns, **LINEAGE_COLUMNS}
        body = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in cols.items())
        return f"create table if not exists {RAW_SCHEMA}.{self.insert_table} (\n    {body}\n)"

    def view_ddl(self, file_branches: tuple[str, ...] = (), replace: bool = False) -> str:
        """`raw.<table>` as the rows table UNION ALL the given selects (same columns, same types)."""
        columns = ", ".join({**self.columns, **LINEAGE_COLUMNS})
        parts = (f"select {columns} from {RAW_SCHEMA}.{self.insert_table}", *file_branches)
        verb = "create or replace view" if replace else "create view if not exists"
        return f"{verb} {RAW_SCHEMA}.{self.table} as\n" + "\nunion all\n".join(parts)


USAGE = RecordType(
    name="usage",
    table="usage_events",
    key="event_id",
    columns={
        "event_id": "VARCHAR",
        "occurred_at": "TIMESTAMPTZ",
        "workspace_id": "VARCHAR",
        "user_id": "VARCHAR",
        "conversation_id": "VARCHAR",
        "message_id": "VARCHAR",
        "provider": "VARCHAR",
        "model": "VARCHAR",
        "operation": "VARCHAR",
        "input_tokens": "BIGINT",
        "output_tokens": "BIGINT",
        "cache_read_input_tokens": "BIGINT",
        "cache_creation_input_tokens": "BIGINT",
        # The part of cache_creation_input_tokens written with a 1-hour TTL (Anthropic, Bedrock), priced at its own
        # rate; the rest of the cache writes are 5-minute writes.
        "cache_creation_1h_input_tokens": "BIGINT",
        "reasoning_output_tokens": "BIGINT",
        "latency_ms": "DOUBLE",
        "time_to_first_token_ms": "DOUBLE",
        "status": "VARCHAR",
        "error_type": "VARCHAR",
        "finish_reason": "VARCHAR",
        "is_streaming": "BOOLEAN",
        "provider_cost_usd": MONEY,
        "tags": "VARCHAR[]",
        "metadata": "JSON",
    },
    required=("event_id", "occurred_at", "workspace_id", "user_id", "provider", "model"),
    rows_table="usage_event_rows",
)

FEEDBACK = RecordType(
    name="feedback",
    table="feedback_events",
    key="feedback_id",
    columns={
        "feedback_id": "VARCHAR",
        "message_id": "VARCHAR",
        "user_id": "VARCHAR",
        "created_at": "TIMESTAMPTZ",
        "kind": "VARCHAR",  # thumbs | rating | category
        "value": "VARCHAR",  # thumbs: up/down/true/false; rating: 1-5; category: a label
        "comment": "VARCHAR",
        "source": "VARCHAR",  # user | annotation | eval
    },
    required=("feedback_id", "message_id", "created_at", "kind", "value"),
)

WORKSPACE = RecordType(
    name="workspace",
    table="workspaces",
    key="workspace_id",
    columns={
        "workspace_id": "VARCHAR",
        "name": "VARCHAR",
        "plan": "VARCHAR",
        "monthly_budget_usd": "DECIMAL(18,2)",
        "timezone": "VARCHAR",
        "created_at": "TIMESTAMPTZ",
    },
    required=("workspace_id",),
)

USER = RecordType(
    name="user",
    table="users",
    key="user_id",
    columns={
        "user_id": "VARCHAR",
        "workspace_id": "VARCHAR",
        "display_name": "VARCHAR",
        "created_at": "TIMESTAMPTZ",
    },
    required=("user_id",),
)

# Usage columns added after files could be registered as Parquet (raw_files.py): a file without one of them, or with
# NULL in it, stands for this default (the value validation gives an absent field).
ADDED_USAGE_COLUMNS: dict[str, str] = {"cache_creation_1h_input_tokens": "0"}

RECORD_TYPES: dict[str, RecordType] = {rt.name: rt for rt in (USAGE, FEEDBACK, WORKSPACE, USER)}

QUARANTINE_DDL = f"""
create table if not exists {RAW_SCHEMA}.quarantine (
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_line BIGINT,
    record_type VARCHAR,
    raw_record VARCHAR,
    reason_code VARCHAR NOT NULL,
    reason_message VARCHAR NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL
)"""

MANIFEST_DDL = f"""
create table if not exists {RAW_SCHEMA}.load_manifest (
    load_id VARCHAR PRIMARY KEY,
    source_file VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    record_type VARCHAR NOT NULL,
    adapter VARCHAR NOT NULL,
    records_read BIGINT NOT NULL,
    records_loaded BIGINT NOT NULL,
    duplicates_skipped BIGINT NOT NULL,
    records_quarantined BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    file_size BIGINT,  -- bytes; null in rows written before it was recorded
    storage VARCHAR,  -- 'table' (rows appended) or 'parquet_file' (the file registered); null = 'table'
    file_mtime_ns BIGINT  -- modification time when loaded, if the file was quiescent then (manifest.py); else null
)"""

# A build database created before raw.load_manifest had these columns gets them (null for its old rows).
MANIFEST_MIGRATIONS = (
    f"alter table {RAW_SCHEMA}.load_manifest add column if not exists file_size BIGINT",
    f"alter table {RAW_SCHEMA}.load_manifest add column if not exists storage VARCHAR",
    f"alter table {RAW_SCHEMA}.load_manifest add column if not exists file_mtime_ns BIGINT",
)

# ... and raw.usage_event_rows gets the usage columns added since (their default for its old rows).
USAGE_MIGRATIONS = tuple(
    f"alter table {RAW_SCHEMA}.{USAGE.insert_table} add column if not exists {name} {USAGE.columns[name]} "
    f"default {default}"
    for name, default in ADDED_USAGE_COLUMNS.items()
)


# Billing months finance has closed (synapscale billing close); dbt reads the latest as data, so a plain
# `dbt build` bills late usage exactly as the pipeline does.
CLOSURES_DDL = f"""
create table if not exists {RAW_SCHEMA}.billing_period_closures (
    billing_period DATE NOT NULL,  -- first day of the closed month (it and every earlier month are closed)
    closed_at TIMESTAMPTZ NOT NULL
)"""


def all_ddl() -> list[str]:
    """Statements that create schema `raw` and every raw table (idempotent)."""
    return [
        f"create schema if not exists {RAW_SCHEMA}",
        *(rt.ddl() for rt in RECORD_TYPES.values()),
        QUARANTINE_DDL,
        MANIFEST_DDL,
        CLOSURES_DDL,
        *MANIFEST_MIGRATIONS,
        *USAGE_MIGRATIONS,
        *(rt.view_ddl() for rt in RECORD_TYPES.values() if rt.rows_table),
    ]
