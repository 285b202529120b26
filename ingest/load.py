"""Landing files → schema `raw` of the build database, one transaction per file.

Per file: hash → skip if the same content was loaded before → read (readers.py) → detect adapter and record
type (detect.py) → map (adapters/) → validate (validate.py) → dedupe usage events by event_id (within the file
and against raw.usage_events) → append records (or register a clean canonical Parquet usage file as a file,
raw_files.py), quarantine rows and the manifest row → commit. A crash before the commit leaves nothing of the
file behind; the re-run loads it exactly once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import batch, detect, manifest, raw_files, readers, validate
from ingest.adapters import Adapter, registry
from ingest.attribution import Attribution
from ingest.contract import RAW_SCHEMA, RECORD_TYPES, RecordType
from ingest.database import connect
from ingest.dedupe import find_duplicates
from ingest.discover import landing_files
from ingest.errors import UserError
from ingest.report import BeforeCommit, FileResult, IngestReport, describe, describe_total

Progress = Callable[[str], None]


def ingest_paths(
    db_path: Path,
    paths: Iterable[Path],
    adapter: str | None = None,
    progress: Progress = print,
    before_commit: BeforeCommit | None = None,
    attribution: Attribution | None = None,
) -> IngestReport:
    """Load landing files (or folders, recursively) into `db_path`; see the module docstring. `attribution` gives
    the workspace/user of records that carry none (attribution.py)."""
    adapters = registry()
    if adapter is not None and adapter not in adapters:
        raise UserError(f"unknown adapter {adapter!r}; choose one of {', '.join(adapters)}")
    con = connect(Path(db_path))
    try:
        files_dir = raw_files.directory(Path(db_path))
        raw_files.remove_orphans(con, files_dir)
        raw_files.refresh_view(con, files_dir)  # the warehouse folder may have moved since the last ingest
        loader = _Loader(con, adapter, adapters, files_dir, before_commit, attribution or Attribution(), progress)
        for path in landing_files(Path(p) for p in paths):
            loader.add(path)
        loader.flush()
    finally:
        con.close()
    progress(describe_total(loader.report))
    return loader.report


@dataclass
class _Loader:
    """One ingest: files already known are skipped unread, runs of small files of one kind are loaded as a batch
    (batch.py), every other file on its own (`_ingest_file`); results are reported in landing order."""

    con: duckdb.DuckDBPyConnection
    forced_adapter: str | None
    adapters: dict[str, Adapter]
    files_dir: Path
    before_commit: BeforeCommit | None
    attribution: Attribution
    progress: Progress
    report: IngestReport = field(default_factory=IngestReport)
    pending: list[batch.Candidate] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.known = manifest.KnownFiles(self.con)

    def add(self, path: Path) -> None:
        stat = manifest.Stat.of(path) if path.is_file() else None
        known = self.known.load_id(stat) if stat else None
        candidate = None
        if stat is not None and not known and batch.may_join(path, stat):
            digest = manifest.digest(path)  # a small file: its hash first, so a loaded one is never parsed
            known = manifest.already_loaded(self.con, digest.content_hash)
            if not known:
                candidate = batch.probe(self.con, path, stat, digest, self.forced_adapter, self.adapters)
        if candidate is not None and batch.fits(self.pending, candidate):
            self.pending.append(candidate)
            return
        self.flush()
        if candidate is not None:
            self.pending.append(candidate)
        elif known:
            self._done(FileResult(file=str(path), skipped_already_loaded=True, load_id=known))
        else:
            self._done(self._single(path, stat))

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if len(pending) > 1:
            adapter = self.adapters[pending[0].adapter]
            try:
                results = batch.ingest_batch(self.con, pending, adapter, self.attribution, self.before_commit)
            except (batch.NotTogether, UserError, duckdb.Error):
                results = [self._single(c.path, c.stat) for c in pending]  # each with its own verdict
        else:
            results = [self._single(c.path, c.stat) for c in pending]
        for result in results:
            self._done(result)

    def _single(self, path: Path, stat: manifest.Stat | None) -> FileResult:
        return _ingest_file(
            self.con, path, self.forced_adapter, self.files_dir, self.before_commit, self.attribution, stat
        )

    def _done(self, result: FileResult) -> None:
        self.report.files.append(result)
        self.progress(describe(result))


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    forced_adapter: str | None,
    files_dir: Path,
    before_commit: BeforeCommit | None,
    attribution: Attribution,
    stat: manifest.Stat | None = None,
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
        # The mtime is recorded only when the file read is the file stat() saw (manifest.KnownFiles).
        unchanged = stat is not None and digest.size == stat.size and manifest.Stat.of(path) == stat
        mtime_ns = stat.quiescent_mtime(time.time_ns()) if stat is not None and unchanged else None
        con.execute("begin transaction").fetchall()
        try:
            registered = _write(con, path, digest, prepared, result, started_at, files_dir, mtime_ns)
            if before_commit is not None:
                before_commit(result)
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
    mtime_ns: int | None,
) -> bool:
    """Inside the file's transaction: find duplicates, append the valid records (or register the staged file,
    when it is clean: see `_is_clean`), then quarantine rows and the manifest row. True when registered."""
    record_type = prepared.record_type
    total, duplicates = find_duplicates(con, record_type, prepared.key_sql)
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
            file_mtime_ns=mtime_ns,
        ),
    )
    if register:
        raw_files.refresh_view(con, files_dir)
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
        f"update _rejected set _raw_record = {validate.truncate_sql(readers.line_text_sql('l._text'))} "
        "from _lines l where l._line = _rejected._line"
    ).fetchall()
