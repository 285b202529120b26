"""Small landing files loaded together: one read, one validation pass, one dedupe and one transaction for a run
of consecutive files of the same kind, instead of paying each file's fixed costs again and again (planning the
validation query, the dedupe screen against raw.usage_events, a commit: ~0.3 s per file, however small). A
folder of daily files then loads about as fast per event as one big file.

Which files: consecutive new landing files (landing order) that are Parquet under one row group (a bigger file
goes alone: its own read is parallel, and it may be registered, raw_files.py) or JSONL of at most
BATCH_FILE_BYTES, read by the same adapter as the same record type (Parquet: with the same columns and types),
up to BATCH_MAX_FILES files and BATCH_MAX_BYTES bytes per batch.

Every guarantee of the per-file loader holds per file: each file has its own load_id, manifest row and counts
(read = loaded + duplicates + quarantined), and its records keep their file and line; dedupe is exact and in
landing order (a record is a duplicate of an earlier one in its file or in an earlier file of the batch, as it
would be file by file); a file whose content was loaded before, or equals an earlier file of the batch, is
skipped. The batch is one transaction: a crash leaves nothing of any of its files, and the re-run loads each
exactly once. When the files cannot be read together (a malformed or blank JSONL line, a file that changed, a
database error), nothing is written and the caller loads them one by one, each with its own verdict.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import detect, manifest, raw_files, readers, validate
from ingest.adapters import Adapter
from ingest.attribution import Attribution
from ingest.contract import RAW_SCHEMA, RECORD_TYPES, RecordType
from ingest.dedupe import find_duplicates
from ingest.errors import UserError
from ingest.report import BeforeCommit, FileResult

BATCH_FILE_BYTES = 32 << 20
BATCH_MAX_FILES = 1_000
BATCH_MAX_BYTES = 512 << 20
PATH_COLUMN = "_synapscale_path"  # the reader's file name column (no landing file has a column of that name)
FILE_OF_RECORD = f"(_rec // {readers.BATCH_FILE_STRIDE}::hugeint)::bigint"


@dataclass(frozen=True)
class Candidate:
    """A new landing file that may join a batch: what the batch must have in common (`kind`) and its stat."""

    path: Path
    stat: manifest.Stat
    digest: manifest.Digest
    file_format: str  # parquet | jsonl
    adapter: str
    record_type: str
    columns: tuple[tuple[str, str], ...]  # Parquet: the file's columns and types, in order; JSONL: ()

    @property
    def kind(self) -> tuple[object, ...]:
        return (self.file_format, self.adapter, self.record_type, self.columns)


class NotTogether(Exception):
    """The batch's files cannot be read as one (the caller loads them one by one)."""


def may_join(path: Path, stat: manifest.Stat) -> bool:
    """True when the file's name and size let it join a batch (`probe` tells from its content)."""
    return readers.file_format(path) in ("parquet", "jsonl") and stat.size <= BATCH_FILE_BYTES


def probe(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    stat: manifest.Stat,
    digest: manifest.Digest,
    forced_adapter: str | None,
    adapters: dict[str, Adapter],
) -> Candidate | None:
    """The file (one that `may_join`, not loaded before) as a batch member, or None when it goes through the
    per-file loader (which also reports any error detection would raise here)."""
    file_format = str(readers.file_format(path))
    try:
        source = readers.read_source(con, path, sample_only=True)
        if file_format == "parquet":
            rows = con.execute(f"select count(*) from read_parquet({readers.sql_string(path)})").fetchall()[0][0]
            if rows >= raw_files.MIN_ROWS:
                return None
        elif con.execute("select exists (select 1 from _src where _item is not null)").fetchall()[0][0]:
            return None  # JSON arrays or pages of records: read line by line (readers.fast_json)
        adapter_name, record_type = detect.detect(con, source, forced_adapter, adapters)
    except (UserError, duckdb.Error):
        return None
    if adapters[adapter_name].custom_sql is not None:
        return None
    columns = tuple(source.columns.items()) if file_format == "parquet" else ()
    return Candidate(path, stat, digest, file_format, adapter_name, record_type, columns)


def fits(batch: list[Candidate], candidate: Candidate) -> bool:
    """True when `candidate` may join `batch` (an empty batch takes any candidate)."""
    if not batch:
        return True
    size = sum(member.stat.size for member in batch) + candidate.stat.size
    return candidate.kind == batch[0].kind and len(batch) < BATCH_MAX_FILES and size <= BATCH_MAX_BYTES


@dataclass
class _Member:
    candidate: Candidate
    result: FileResult
    digest: manifest.Digest
    number: int  # `_file` in the batch


def ingest_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[Candidate],
    adapter: Adapter,
    attribution: Attribution,
    before_commit: BeforeCommit | None,
) -> list[FileResult]:
    """Load the batch in one transaction and return one result per file, in order; raises NotTogether (with
    nothing written) when the files cannot be read together."""
    started, started_at = time.perf_counter(), datetime.now(UTC)
    results = [
        FileResult(str(c.path), c.record_type, c.adapter, load_id=str(uuid.uuid4()), batch_files=len(batch))
        for c in batch
    ]
    members = _new_members(batch, results)
    if members:
        record_type = RECORD_TYPES[batch[0].record_type]
        key_sql = _read(con, members, adapter, record_type, attribution, started_at)
        con.execute("begin transaction").fetchall()
        try:
            _write(con, members, record_type, key_sql, started_at)
            for member in members:
                if before_commit is not None:
                    before_commit(member.result)
            con.execute("commit").fetchall()
        except BaseException:
            con.execute("rollback").fetchall()
            raise
    for result in results:
        result.seconds = time.perf_counter() - started
    return results


def _new_members(batch: list[Candidate], results: list[FileResult]) -> list[_Member]:
    """The files to load: each candidate was not loaded before; one equal to an earlier file of the batch is skipped
    as loaded by that file, as it would be file by file."""
    loads: dict[str, str] = {}
    members: list[_Member] = []
    for candidate, result in zip(batch, results, strict=True):
        previous = loads.get(candidate.digest.content_hash)
        if previous is not None:
            result.skipped_already_loaded, result.load_id = True, previous
            continue
        loads[candidate.digest.content_hash] = str(result.load_id)
        members.append(_Member(candidate, result, candidate.digest, len(members)))
    return members


def _read(
    con: duckdb.DuckDBPyConnection,
    members: list[_Member],
    adapter: Adapter,
    record_type: RecordType,
    attribution: Attribution,
    started_at: datetime,
) -> str:
    """`_batch_files`, then `_src` over every member, `_mapped` and `_checked`; returns the key SQL."""
    con.execute(
        "create or replace temp table _batch_files (_file BIGINT, load_id VARCHAR, source_file VARCHAR, "
        "_first_row BIGINT)"
    ).fetchall()
    con.executemany(
        "insert into _batch_files values (?, ?, ?, 0)",
        [[m.number, m.result.load_id, str(m.candidate.path)] for m in members],
    )
    con.execute(readers.REJECTS_DDL).fetchall()
    listed = "[" + ", ".join(readers.sql_string(m.candidate.path) for m in members) + "]"
    if members[0].candidate.file_format == "parquet":
        reader = f"read_parquet({listed}, file_row_number = true, filename = '{PATH_COLUMN}')"
        line = "p.file_row_number + 1"
        exclude = f"file_row_number, {PATH_COLUMN}"
    else:
        _read_jsonl(con, members, adapter, listed)
        reader, line, exclude = "_src_rows", "p.rowid - f._first_row + 1", PATH_COLUMN
    con.execute(
        f"create or replace temp view _src as select f._file, {line} as _line, null::varchar as _raw, "
        f"p.* exclude ({exclude}) from {reader} p join _batch_files f on f.source_file = p.{PATH_COLUMN}"
    ).fetchall()
    if any(manifest.Stat.of(m.candidate.path) != m.candidate.stat for m in members):
        raise NotTogether("a file changed while the batch was read")
    columns = {row[0]: row[1] for row in con.execute("describe _src").fetchall()}
    select = adapter.select_sql(members[0].candidate.path, record_type, columns, False, attribution)
    con.execute(f"create or replace temp view _mapped as {select}").fetchall()
    return validate.check(con, record_type, started_at.isoformat())


def _read_jsonl(con: duckdb.DuckDBPyConnection, members: list[_Member], adapter: Adapter, listed: str) -> None:
    """Every member through one parallel read_json (as readers.fast_json reads one file), in file order: a file's
    rows are contiguous and in line order, so line = row - the file's first row + 1, provided it has as many rows
    as lines (read_json skips blank lines, which would shift the numbers)."""
    structure = adapter.structure
    columns = "{" + ", ".join(f"'{key}': '{readers.duckdb_type(spec)}'" for key, spec in structure.items()) + "}"
    readers.ordered(
        con,
        f"create or replace temp table _src_rows as select * from read_json({listed}, format = 'newline_delimited', "
        f"columns = {columns}, maximum_object_size = 67108864, filename = '{PATH_COLUMN}')",
    )
    spans = {
        path: (rows, first, last)
        for path, rows, first, last in con.execute(
            f"select {PATH_COLUMN}, count(*), min(rowid), max(rowid) from _src_rows group by 1"
        ).fetchall()
    }
    for member in members:
        rows, first, last = spans.get(str(member.candidate.path), (0, 0, -1))
        if rows != readers.line_count(member.candidate.path, member.digest.newlines) or last - first + 1 != rows:
            raise NotTogether(f"{member.candidate.path}: its rows are not its lines")
        con.execute("update _batch_files set _first_row = ? where _file = ?", [first, member.number]).fetchall()


def _counts(con: duckdb.DuckDBPyConnection, relation: str) -> dict[int, int]:
    return dict(con.execute(f"select {FILE_OF_RECORD}, count(*) from {relation} group by 1").fetchall())


def _write(
    con: duckdb.DuckDBPyConnection, members: list[_Member], record_type: RecordType, key_sql: str, started_at: datetime
) -> None:
    """Inside the batch's transaction: the valid, non-duplicate records, the quarantine rows and one manifest row
    per file, each file's counts worked out from the batch's (see load._append for the one-pass counting)."""
    total, duplicates = find_duplicates(con, record_type, key_sql)
    ingested_at = datetime.now(UTC)
    not_duplicate = "and c._rec not in (select _rec from _duplicates)" if duplicates else ""
    columns = ", ".join(record_type.columns)
    inserted = con.execute(
        f"insert into {RAW_SCHEMA}.{record_type.insert_table} ({columns}, load_id, source_file, source_line, "
        f"ingested_at) select {', '.join('c.' + name for name in record_type.columns)}, f.load_id, f.source_file, "
        f"c._line, ? from _checked c join _batch_files f on f._file = {FILE_OF_RECORD.replace('_rec', 'c._rec')} "
        f"where c._reason_code is null {not_duplicate}",
        [ingested_at],
    ).fetchall()[0][0]
    rejected = total - inserted - duplicates
    rejected_by_file: dict[int, int] = {}
    if rejected:
        if validate.materialize_rejected(con) != rejected:
            raise duckdb.InternalException("batch: rejected records do not add up; nothing was loaded")
        rejected_by_file = _counts(con, "_rejected")
        _quarantine(con, members, rejected_by_file, record_type, ingested_at)
    totals = _counts(con, "_mapped")
    duplicates_by_file = _counts(con, "_duplicates") if duplicates else {}
    for member in members:
        result = member.result
        result.duplicates = duplicates_by_file.get(member.number, 0)
        result.quarantined = rejected_by_file.get(member.number, 0)
        result.read = totals.get(member.number, 0)
        result.loaded = result.read - result.duplicates - result.quarantined
        _record(con, member, record_type, started_at)
    if sum(m.result.loaded for m in members) != inserted:
        raise duckdb.InternalException("batch: loaded records do not add up per file; nothing was loaded")


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    members: list[_Member],
    rejected_by_file: dict[int, int],
    record_type: RecordType,
    ingested_at: datetime,
) -> None:
    """The rejected records with their raw text (a JSONL line is fetched from its file, as load does)."""
    if members[0].candidate.file_format == "jsonl":
        for member in members:
            if rejected_by_file.get(member.number):
                readers.register_lines(con, member.candidate.path)
                con.execute(
                    "update _rejected set _raw_record = "
                    f"{validate.truncate_sql(readers.line_text_sql('l._text'))} from _lines l "
                    f"where l._line = _rejected._line and {FILE_OF_RECORD.replace('_rec', '_rejected._rec')} = ?",
                    [member.number],
                ).fetchall()
    con.execute(
        f"insert into {RAW_SCHEMA}.quarantine select f.load_id, f.source_file, r._line, ?, r._raw_record, "
        f"r._reason_code, r._reason_message, ? from _rejected r "
        f"join _batch_files f on f._file = {FILE_OF_RECORD.replace('_rec', 'r._rec')}",
        [record_type.name, ingested_at],
    ).fetchall()


def _record(con: duckdb.DuckDBPyConnection, member: _Member, record_type: RecordType, started_at: datetime) -> None:
    result, finished_at = member.result, datetime.now(UTC)
    manifest.record(
        con,
        manifest.ManifestRow(
            load_id=str(result.load_id),
            source_file=result.file,
            content_hash=member.digest.content_hash,
            record_type=record_type.name,
            adapter=str(result.adapter),
            records_read=result.read,
            records_loaded=result.loaded,
            duplicates_skipped=result.duplicates,
            records_quarantined=result.quarantined,
            started_at=started_at,
            finished_at=finished_at,
            file_size=member.digest.size,
            file_mtime_ns=member.candidate.stat.quiescent_mtime(time.time_ns()),
        ),
    )
