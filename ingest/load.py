"""Landing files → schema `raw` of the build database, one transaction per file.

Per file: hash → skip if the same content was loaded before → read (readers.py) → detect adapter and record
type (detect.py) → map (adapters/) → validate (validate.py) → dedupe usage events by event_id (within the file
and against raw.usage_events) → append records (or register a clean canonical Parquet usage file as a file,
raw_files.py), quarantine rows and the manifest row → commit. A crash before the commit leaves nothing of the
file behind; the re-run loads it exactly once.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import detect, manifest, raw_files, readers, validate
from ingest.adapters import Adapter, registry
from ingest.attribution import Attribution
from ingest.contract import RAW_SCHEMA, RECORD_TYPES, RecordType, all_ddl
from ingest.errors import UserError

# Test hook: when set to a file path, the loader writes that file once a landing file's records, quarantine
# and
# manifest rows are inserted, then sleeps inside the still-open transaction, so a test can SIGKILL it at a
# known
# point (tests/test_ingest_atomicity.py). PAUSE_ONLY_ENV limits it to landing files whose name contains a
# text.
PAUSE_HOOK_ENV = "SYNAPSCALE_INGEST_TEST_PAUSE_MARKER"
PAUSE_ONLY_ENV = "SYNAPSCALE_INGEST_TEST_PAUSE_ONLY"


@dataclass
class FileResult:
    """What happened to one landing file."""

    file: str
    record_type: str | None = None
    adapter: str | None = None
    read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped_already_loaded: bool = False
    error: str | None = None
    load_id: str | None = None
    seconds: float = 0.0


@dataclass
class IngestReport:
    """Per-file results and totals; `ok` is False when a file could not be processed at all."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def skipped_files(self) -> int:
        return sum(f.skipped_already_loaded for f in self.files)

    @property
    def failed_files(self) -> int:
        return sum(f.error is not None for f in self.files)

    @property
    def ok(self) -> bool:
        return self.failed_files == 0

    def by_file(self, name: str) -> FileResult:
        """The result of the file whose name (or path) ends with `name`."""
        for result in self.files:
            if result.file.endswith(name):
                return result
        raise KeyError(name)


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the build database with every raw table present and the session in UTC."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.IOException as error:
        raise UserError(
            f"{db_path}: cannot open the build database ({error}); is another synapscale run or a client holding it?"
        ) from None
    con.execute("set TimeZone = 'UTC'").fetchall()
    # Every record carries its line number as a column, so inserts need not keep row order; without it DuckDB
    # writes a bulk insert straight to the database file instead of the WAL (which would cost a second, equal
    # write at the next checkpoint). The readers that number rows by position turn it on for that statement.
    con.execute("set preserve_insertion_order = false").fetchall()
    # Small files' rows go through the WAL: checkpoint once when the batch closes the connection, not at every
    # commit that crosses the default 16 MB (each file still commits, and a committed file survives a crash).
    con.execute("set checkpoint_threshold = '1GB'").fetchall()
    _rows_tables_from_older_layout(con)
    for statement in all_ddl():
        con.execute(statement).fetchall()
    return con


def _rows_tables_from_older_layout(con: duckdb.DuckDBPyConnection) -> None:
    """A build database from before `raw.usage_events` became a view has the rows in a table of that name:
    rename it to the rows table (the view is created over it next)."""
    for record_type in RECORD_TYPES.values():
        if not record_type.rows_table:
            continue
        kinds = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables where table_schema = ?", [RAW_SCHEMA]
            ).fetchall()
        )
        if kinds.get(record_type.table) == "BASE TABLE" and record_type.rows_table not in kinds:
            con.execute(f"alter table {RAW_SCHEMA}.{record_type.table} rename to {record_type.rows_table}").fetchall()


def landing_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every supported file under named folders (recursive, hidden ones
    skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and readers.file_format(p) is not None
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        else:
            found.append(path)
    return found


def ingest_paths(
    db_path: Path,
    paths: list[Path],
    adapter: str | None = None,
    progress: Callable[[str], None] = print,
    attribution: Attribution | None = None,
) -> IngestReport:
    """Load landing files (or folders, recursively) into `db_path`; see the module docstring. `attribution` gives
    the workspace/user of records that carry none (attribution.py)."""
    adapters = registry()
    if adapter is not None and adapter not in adapters:
        raise UserError(f"unknown adapter {adapter!r}; choose one of {', '.join(adapters)}")
    report = IngestReport()
    con = connect(Path(db_path))
    files_dir = raw_files.directory(Path(db_path))
    try:
        raw_files.remove_orphans(con, files_dir)
        raw_files.refresh_view(con, files_dir)  # the warehouse folder may have moved since the last ingest
        for path in landing_files(Path(p) for p in paths):
            result = _ingest_file(con, path, adapter, files_dir, attribution or Attribution())
            report.files.append(result)
            progress(_describe(result))
    finally:
        con.close()
    progress(
        f"total: {len(report.files)} files ({report.skipped_files} already loaded, {report.failed_files} "
        "failed): "
        f"read {report.read}, loaded {report.loaded}, duplicates skipped {report.duplicates}, "
        f"quarantined {report.quarantined}"
    )
    return report


def _describe(result: FileResult) -> str:
    if result.error is not None:
        return f"{result.file}: FAILED: {result.error}"
    if result.skipped_already_loaded:
        return f"{result.file}: already loaded (load {result.load_id}), skipped"
    return (
        f"{result.file}: {result.record_type} via {result.adapter}: read {result.read}, loaded "
        f"{result.loaded}, "
        f"duplicates skipped {result.duplicates}, quarantined {result.quarantined} ({result.seconds:.2f}s)"
    )


def _ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, forced_adapter: str | None, files_dir: Path, attribution: Attribution
) -> FileResult:
    result = FileResult(file=str(path))
    started = time.perf_counter()
    staged: list[Path] = []  # a copy made for registration; removed unless its registration commits
    try:
        if not path.exists():
            raise UserError(f"{path}: no such file or directory; check the landing path")
        if readers.file_format(path) is None:
            raise UserError(f"{path}: unsupported file type; use .jsonl, .json, .csv, .parquet, .jsonl.gz or .csv.gz")
        with ThreadPoolExecutor(max_workers=1) as pool:
            if manifest.size_may_match(con, path.stat().st_size):
                # Same size as a loaded file: the hash decides before anything is parsed.
                known = manifest.digest(path)
                if _skip_if_loaded(con, known.content_hash, result):
                    return result
                digest_of: Callable[[], manifest.Digest] = lambda: known  # noqa: E731
            else:
                # No loaded file has this size, so none has this content: hash while reading and validating.
                digest_of = pool.submit(manifest.digest, path).result
            started_at = datetime.now(UTC)
            prepared = _prepare(
                con, path, forced_adapter, result, started_at, digest_of, files_dir, staged, attribution
            )
            digest = digest_of()
            if _skip_if_loaded(con, digest.content_hash, result):  # the file changed since its size was taken
                return result
        con.execute("begin transaction").fetchall()
        try:
            registered = _write(con, path, digest, prepared, result, started_at, files_dir)
            con.execute("commit").fetchall()
        except BaseException:
            con.execute("rollback").fetchall()
            raise
        if registered:
            staged.clear()
    except UserError as error:
        result.error = str(error)
    except duckdb.Error as error:
        result.error = f"{path}: database error while loading ({error}); the file was not loaded, fix it and re-run"
    finally:
        for copy in staged:
            copy.unlink(missing_ok=True)
        result.seconds = time.perf_counter() - started
    return result


def _skip_if_loaded(con: duckdb.DuckDBPyConnection, content_hash: str, result: FileResult) -> bool:
    """True (and `result` says so) when a file with this content was loaded before."""
    previous = manifest.already_loaded(con, content_hash)
    if previous is None:
        return False
    result.skipped_already_loaded = True
    result.load_id = previous
    return True


@dataclass(frozen=True)
class _Prepared:
    """What `_prepare` set up for `_write`: the record type, the SQL of its converted key over `_mapped`, and
    whether `_src` was read by `fast_json` (its rejected records' raw text must then be fetched from the file)."""

    record_type: RecordType
    key_sql: str
    fast_json: bool
    may_register: bool = False  # `_src` reads a staged copy that `_write` may register (raw_files.py)


def _prepare(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    forced_adapter: str | None,
    result: FileResult,
    started_at: datetime,
    digest_of: Callable[[], manifest.Digest],
    files_dir: Path,
    staged: list[Path],
    attribution: Attribution,
) -> _Prepared:
    """Read, detect, map and set up validation: temp objects only (`_mapped`, `_checked`, `_rejects`), so it
    runs outside the transaction and a failed fast read can simply be retried. Nothing is validated yet: the
    loader's insert is the single pass over the records (see `_write`). `digest_of` waits for the file's hash
    (possibly computed in a thread meanwhile); only the JSONL fast path needs it here, for the line count.
    A registration candidate (raw_files.candidate) is copied to its stored name first and validated from that
    copy, so the bytes registered are the bytes validated; the copy's path is appended to `staged`."""
    adapters = registry()
    source = readers.read_source(con, path, sample_only=True)
    adapter_name, record_type_name = detect.detect(con, source, forced_adapter, adapters)
    record_type = RECORD_TYPES[record_type_name]
    adapter = adapters[adapter_name]
    result.adapter, result.record_type, result.load_id = adapter_name, record_type_name, str(uuid.uuid4())
    if source.is_json and adapter.custom_sql is None:
        key_sql = _prepare_fast_json(con, path, adapter, record_type, started_at, digest_of, attribution)
        if key_sql is not None:
            return _Prepared(record_type, key_sql, fast_json=True)
    if source.is_json:
        source = readers.read_source(con, path)  # line by line: every line gets its own verdict
    may_register = raw_files.candidate(con, source, adapter_name, record_type)
    if may_register:
        staged.append(raw_files.stage(path, files_dir, result.load_id))
        source = readers.read_source(con, staged[-1])
    select = adapter.select_sql(path, record_type, source.columns, source.is_json, attribution)
    if source.is_json:
        # Parsing JSON text per line is the expensive part: do it once, not once per pass below.
        con.execute(f"create or replace temp table _mapped_rows as {select}").fetchall()
        con.execute("create or replace temp view _mapped as select * from _mapped_rows").fetchall()
    else:
        con.execute(f"create or replace temp view _mapped as {select}").fetchall()
    key_sql = validate.check(con, record_type, started_at.isoformat(), compare_plain_cast=may_register)
    return _Prepared(record_type, key_sql, fast_json=False, may_register=may_register)


def _prepare_fast_json(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    adapter: Adapter,
    record_type: RecordType,
    started_at: datetime,
    digest_of: Callable[[], manifest.Digest],
    attribution: Attribution,
) -> str | None:
    """Validation set up over a JSONL file read by read_json (see readers.fast_json), returning the key SQL;
    None when it must be read line by line. The newline count (from hashing) saves a second read of
    uncompressed files; it is awaited only after read_json, so a concurrent hash overlaps the parse."""
    try:
        source = readers.fast_json(con, path, adapter.structure)
    except duckdb.Error:
        return None
    select = adapter.select_sql(path, record_type, source.columns, False, attribution)
    con.execute(f"create or replace temp view _mapped as {select}").fetchall()
    key_sql = validate.check(con, record_type, started_at.isoformat())
    lines = readers.line_count(path, digest_of().newlines)
    if con.execute("select count(*) from _src_rows").fetchall()[0][0] != lines:
        return None
    return key_sql


def _write(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    digest: manifest.Digest,
    prepared: _Prepared,
    result: FileResult,
    started_at: datetime,
    files_dir: Path,
) -> bool:
    """Inside the file's transaction: find duplicates, append the valid records (or register the staged file,
    when it is clean: see `_is_clean`), then quarantine rows and the manifest row. True when registered."""
    record_type = prepared.record_type
    total, duplicates = _find_duplicates(con, record_type, prepared.key_sql)
    register = prepared.may_register and not duplicates and _is_clean(con)
    if register:
        result.loaded, result.quarantined, result.duplicates = total, 0, 0
    else:
        _append(con, path, prepared, result, total, duplicates)
    result.read = result.loaded + result.quarantined + result.duplicates
    manifest.record(
        con,
        manifest.ManifestRow(
            load_id=str(result.load_id),
            source_file=str(path),
            content_hash=digest.content_hash,
            record_type=record_type.name,
            adapter=str(result.adapter),
            records_read=result.read,
            records_loaded=result.loaded,
            duplicates_skipped=result.duplicates,
            records_quarantined=result.quarantined,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            file_size=digest.size,
            storage=raw_files.STORAGE if register else "table",
        ),
    )
    if register:
        raw_files.refresh_view(con, files_dir)
    marker = os.environ.get(PAUSE_HOOK_ENV)
    if marker and os.environ.get(PAUSE_ONLY_ENV, "") in path.name:
        Path(marker).write_text(str(result.load_id))
        time.sleep(600)
    return register


def _is_clean(con: duckdb.DuckDBPyConnection) -> bool:
    """One scan of `_checked`: no record rejected and no value changed by conversion (`_changed`)."""
    if con.execute("select count(*) from _rejects").fetchall()[0][0]:
        return False
    return not con.execute(
        "select exists (select 1 from _checked where _reason_code is not null or _changed)"
    ).fetchall()[0][0]


def _append(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    prepared: _Prepared,
    result: FileResult,
    total: int,
    duplicates: int,
) -> None:
    """Append the valid, non-duplicate records to the rows table and the rejected ones to the quarantine.

    One pass computes the verdicts: the insert streams `_checked` filtered on `_reason_code is null` into raw.
    The records it did not load are the duplicates (counted beforehand) and the rejected ones; only when there
    are rejected records is `_checked` read a second time for them (with their messages and raw text)."""
    record_type = prepared.record_type
    load_id = result.load_id
    ingested_at = datetime.now(UTC)
    not_duplicate = "and _rec not in (select _rec from _duplicates)" if duplicates else ""
    columns = ", ".join(record_type.columns)
    inserted = con.execute(
        f"insert into {RAW_SCHEMA}.{record_type.insert_table} ({columns}, load_id, source_file, source_line, "
        "ingested_at) "
        f"select {columns}, ?, ?, _line, ? from _checked where _reason_code is null {not_duplicate}",
        [load_id, str(path), ingested_at],
    ).fetchall()[0][0]
    rejected = total - inserted - duplicates
    if rejected:
        if validate.materialize_rejected(con) != rejected:
            raise duckdb.InternalException(f"{path}: rejected records do not add up; the file was not loaded")
        if prepared.fast_json:
            _recover_raw_lines(con, path)
    else:
        validate.empty_rejected(con)
    reader_rejects = con.execute("select count(*) from _rejects").fetchall()[0][0]
    result.loaded = inserted
    result.quarantined = rejected + reader_rejects
    result.duplicates = duplicates
    if result.quarantined:
        con.execute(
            f"insert into {RAW_SCHEMA}.quarantine "
            "select ?, ?, _line, ?, _raw_record, _reason_code, _reason_message, ? from _rejected union all "
            "select ?, ?, _line, ?, _raw, reason_code, reason_message, ? from _rejects",
            [load_id, str(path), record_type.name, ingested_at] * 2,
        ).fetchall()


def _recover_raw_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """`fast_json` has no line text: fetch the rejected records' lines from the file (only when some were
    rejected), so the quarantine keeps the raw text as sent."""
    readers.register_lines(con, path)
    con.execute(
        f"update _rejected set _raw_record = {validate.truncate_sql('rtrim(l._text, chr(10) || chr(13))')} "
        "from _lines l where l._line = _rejected._line"
    ).fetchall()


def _find_duplicates(con: duckdb.DuckDBPyConnection, record_type: RecordType, key_sql: str) -> tuple[int, int]:
    """(records in `_mapped`, duplicates): `_duplicates(_rec)` holds the valid usage events whose event_id is
    already in raw.usage_events or appeared earlier in the file (the first valid occurrence wins). Feedback
    versions and snapshots are never duplicates.

    A cheap screen on the raw keys comes first: when the file's non-empty keys are all distinct and none is in
    raw.usage_events, no valid record can be a duplicate (valid records are a subset, and their key is the same
    conversion of the same value), so the per-record verdicts are not needed. Keys are compared by hash there:
    as many distinct hashes as keys proves the keys distinct, and a hash collision only means taking the exact
    path. Otherwise the verdicts are materialised (narrow: record number, key, reason) and deduped exactly."""
    if record_type.name != "usage":
        return con.execute("select count(*) from _mapped").fetchall()[0][0], 0
    total, keys, distinct = con.execute(
        f"select count(*), count(k), count(distinct hash(k)) filter (where k is not null) "
        f"from (select {key_sql} as k from _mapped)"
    ).fetchall()[0]
    if keys == distinct:
        clash = con.execute(
            f"select exists (select 1 from {RAW_SCHEMA}.usage_events e "
            f"semi join (select {key_sql} as k from _mapped) m on m.k = e.event_id)"
        ).fetchall()[0][0]
        if not clash:
            return total, 0
    validate.materialize_verdicts(con, record_type)
    con.execute(
        f"""
        create or replace temp table _duplicates as
        with valid as (select _rec, _key as event_id from _verdicts where _reason_code is null),
        existing as (
            select distinct e.event_id from {RAW_SCHEMA}.usage_events e
            semi join (select distinct event_id from valid) v on v.event_id = e.event_id
        ),
        first_in_file as (select event_id, min(_rec) as _rec from valid group by event_id)
        select _rec from valid
        where event_id in (select event_id from existing)
            or _rec not in (select _rec from first_in_file)
        """
    ).fetchall()
    return total, con.execute("select count(*) from _duplicates").fetchall()[0][0]
