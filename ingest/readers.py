"""Files → a DuckDB relation named `_src`, one row per physical record, with its 1-based line/row number.

* JSONL (`.jsonl`, `.ndjson`, optionally `.gz`): one JSON document per line; `_src(_line, _item, _raw)`. Blank
  lines are not records. A `.json` file is one document (line 1), e.g. an OTLP export. A document that is a JSON
  array, or a page of records (`{"data": [...], ...}`), holds one record per element (`_item`, 0-based; see
  RECORDS_VIEW).
* CSV (optionally `.gz`): header row, every column read as text; `_src(_line, _raw, <columns>)`; `_line` is
the
  physical line (header = line 1). Rows DuckDB cannot parse land in `_rejects`.
* Parquet: `_src(_line, _raw, <typed columns>)`; `_line` is the 1-based row number.

* A batch of small files read together (ingest/batch.py): the same columns plus `_file`, the file's number in the
  batch; `_line` is the line or row within that file, and the record number `_rec` the adapters give says which
  file too (`_file * BATCH_FILE_STRIDE + ...`).

Invalid UTF-8 never stops a file: the offending lines are reported in `_rejects` (reason `invalid_utf8`) with
the bad bytes shown as U+FFFD, and the rest of the file is read normally.
"""

from __future__ import annotations

import codecs
import gzip
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ingest.errors import UserError

SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet", ".jsonl.gz", ".ndjson.gz", ".csv.gz")

SAMPLE_BYTES = 1 << 20  # detection reads this much of a JSON file
BATCH_FILE = "_file"
BATCH_FILE_STRIDE = 10**20  # record numbers of one file of a batch stay below this (lines x 1e9 + item)
# Whether a line holds anything but white space, and (line_text_sql) its text without the line end: regular
# expressions, as trim/rtrim with a set of characters cost ~7x more in DuckDB (~13 ms per MB of lines).
NOT_BLANK_SQL = "regexp_matches(_text, '[^ \\t\\r\\n]')"

# Keys of a JSON object that is a page of records (`{"data": [...], "meta": {...}}`, as API list endpoints return
# them, e.g. Langfuse or LiteLLM /spend/logs/ui) rather than a record.
PAGE_KEYS = ("data", "meta", "total", "page", "page_size", "total_pages", "limit", "cursor", "has_more", "next")

# Records of a JSON source: each line is one record, except a line holding a JSON array (each element is a record,
# `_item` its 0-based position) or a page of records (each element of its `data` array). Every other line,
# invalid JSON included, is one record with `_item` NULL, so validation still gives it a verdict. Only lines that
# start with `[` or mention "data" are parsed here.
RECORDS_VIEW = f"""
create or replace temp view _src as
with classified as (
    select _line, _raw,
        case
            when starts_with(ltrim(_raw), '[') and json_valid(_raw) then 'array'
            when starts_with(ltrim(_raw), '{{') and contains(_raw, '"data"') and json_valid(_raw)
                and json_type(_raw, '$.data') = 'ARRAY'
                and list_bool_and(list_transform(json_keys(_raw), lambda k: k in {list(PAGE_KEYS)}))
                then 'page'
        end as _kind
    from _src_lines
),
listed as (
    select _line,
        case _kind when 'array' then json_extract(_raw, '$[*]') else json_extract(_raw, '$.data[*]') end as items
    from classified where _kind is not null
)
select _line, null::bigint as _item, _raw from classified where _kind is null
union all
select _line, (generate_subscripts(items, 1) - 1)::bigint as _item, unnest(items)::varchar as _raw from listed
"""

REJECTS_DDL = (
    "create or replace temp table _rejects (_line BIGINT, _raw VARCHAR, reason_code VARCHAR, reason_message VARCHAR)"
)


@dataclass(frozen=True)
class SourceInfo:
    """What the reader produced: the format and the columns of `_src` (name → DuckDB type)."""

    path: Path
    file_format: str  # jsonl | json | csv | parquet
    columns: dict[str, str]

    @property
    def is_json(self) -> bool:
        """True when `_src` holds raw JSON text lines (`_raw`) rather than columns."""
        return self.file_format in ("jsonl", "json")


def line_text_sql(column: str = "_text") -> str:
    return f"regexp_replace({column}, '[\\r\\n]+$', '')"


def file_format(path: Path) -> str | None:
    """`jsonl`, `json`, `csv`, `parquet`, or None when the suffix is not supported."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
        if name.endswith(".parquet") or name.endswith(".json"):
            return None
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return None


def read_source(con: duckdb.DuckDBPyConnection, path: Path, sample_only: bool = False) -> SourceInfo:
    """Expose `path` as `_src` (and its unreadable records as `_rejects`) on `con`.

    With `sample_only`, a JSON file is exposed through its first SAMPLE_BYTES only (enough to detect its
    shape;
    the loader then reads it with `fast_json` or again in full)."""
    fmt = file_format(path)
    if fmt is None:
        raise UserError(f"{path}: unsupported file type; use .jsonl, .json, .csv, .parquet, .jsonl.gz or .csv.gz")
    con.execute(REJECTS_DDL).fetchall()
    if fmt in ("jsonl", "json"):
        _read_lines(con, path, whole_file=fmt == "json", sample_only=sample_only and fmt == "jsonl")
    elif fmt == "csv":
        _read_csv(con, path)
    else:
        con.execute(
            "create or replace temp view _src as select file_row_number + 1 as _line, null::varchar as _raw, "
            f"* exclude (file_row_number) from read_parquet({sql_string(path)}, file_row_number = true)"
        ).fetchall()
    return _describe(con, path, fmt)


def _describe(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> SourceInfo:
    columns = {row[0]: row[1] for row in con.execute("describe _src").fetchall()}
    return SourceInfo(path=path, file_format=fmt, columns=columns)


def duckdb_type(spec: object) -> str:
    """A json_transform structure (`"VARCHAR"`, `{"key": spec}`, `[spec]`) as a DuckDB type."""
    if isinstance(spec, dict):
        return "STRUCT(" + ", ".join(f'"{key}" {duckdb_type(value)}' for key, value in spec.items()) + ")"
    if isinstance(spec, list):
        return duckdb_type(spec[0]) + "[]"
    return str(spec)


def fast_json(con: duckdb.DuckDBPyConnection, path: Path, structure: dict[str, object]) -> SourceInfo:
    """Expose a JSONL file through DuckDB's parallel `read_json`, with the adapter's structure as explicit
    column types (values stay text, so validation behaves exactly as on the line-by-line path).

    Expects `_src` to be the file's sample (read_source with sample_only), and refuses (duckdb.Error) a file whose
    sample holds JSON arrays or pages of records. The caller must fall back to `read_source` (line by line) when
    this or reading `_src` fails (a malformed line,
    invalid UTF-8, a value of an unexpected JSON kind) or yields fewer rows than the file has lines
    (`line_count`; read_json skips blank lines, which would shift line numbers). read_json keeps file order, so
    line = row number."""
    # read_json would take a page of records (`{"data": [...]}`) for one record: such a file is read line by line.
    if con.execute("select exists (select 1 from _src where _item is not null)").fetchall()[0][0]:
        raise duckdb.InvalidInputException(f"{path}: holds JSON arrays or pages of records")
    columns = "{" + ", ".join(f"'{key}': '{duckdb_type(spec)}'" for key, spec in structure.items()) + "}"
    reader = (
        f"read_json({sql_string(path)}, format = 'newline_delimited', columns = {columns}, "
        "maximum_object_size = 67108864)"
    )
    con.execute(REJECTS_DDL).fetchall()
    # Materialised in parallel with insertion order kept, so a row's rowid is its position in the file:
    # line = rowid + 1, with no (single-threaded) window function.
    ordered(con, f"create or replace temp table _src_rows as select * from {reader}")
    con.execute(
        "create or replace temp view _src as select rowid + 1 as _line, null::varchar as _raw, * from _src_rows"
    ).fetchall()
    return _describe(con, path, "jsonl_fast")


def ordered(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run `sql` with `preserve_insertion_order` on (row position = line), then restore the connection's
    setting (the loader keeps it off so bulk inserts skip the WAL)."""
    previous = con.execute("select current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("set preserve_insertion_order = true").fetchall()
    try:
        con.execute(sql).fetchall()
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if previous else 'false'}").fetchall()


def line_count(path: Path, newlines: int | None) -> int:
    """Lines in the (decompressed) file; `newlines` is the raw file's newline count when already known."""
    if newlines is not None and not path.name.lower().endswith(".gz"):
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            if size == 0:
                return 0
            handle.seek(size - 1)
            return newlines + (0 if handle.read(1) == b"\n" else 1)
    data = _file_bytes(path)
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def register_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Register the file's lines as `_lines(_line, _text, _bad_utf8)` (used to recover the raw text of
    rejected
    records read by `fast_json`)."""
    _read_lines(con, path, whole_file=False, sample_only=False, lines_only=True)


def sql_string(path: Path) -> str:
    """A path as a SQL string literal (views cannot take prepared parameters); quotes are doubled."""
    return "'" + str(path).replace("'", "''") + "'"


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise UserError(f"{path}: not a valid gzip file ({error}); re-export or re-compress it") from None
    return data


def _file_head(path: Path) -> bytes:
    """The first SAMPLE_BYTES of the (decompressed) file, cut after the last complete line."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    except (OSError, EOFError) as error:
        raise UserError(f"{path}: cannot read ({error}); re-export or re-compress it") from None
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut >= 0 and len(head) == SAMPLE_BYTES else head


def _invalid_utf8_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of invalid UTF-8 (loops only over the bad sequences, never over lines)."""
    spans: list[tuple[int, int]] = []

    def record(error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeDecodeError)
        spans.append((error.start, error.end))
        return ("\ufffd", error.end)

    codecs.register_error("synapscale_record", record)
    data.decode("utf-8", errors="synapscale_record")
    return spans


def _read_lines(
    con: duckdb.DuckDBPyConnection, path: Path, whole_file: bool, sample_only: bool, lines_only: bool = False
) -> None:
    data = _file_head(path) if sample_only else _file_bytes(path)
    try:
        data.decode("utf-8")
        bad_spans: list[tuple[int, int]] = []
    except UnicodeDecodeError:
        bad_spans = _invalid_utf8_spans(data)
    buffer = np.frombuffer(data, dtype=np.uint8)
    if whole_file:
        starts = np.array([0], dtype=np.int64)
    else:
        newlines = np.flatnonzero(buffer == 10).astype(np.int64)
        starts = np.concatenate([[0], newlines + 1]).astype(np.int64)
        if len(starts) > 1 and starts[-1] == len(data):
            starts = starts[:-1]  # the file ends with a newline: no empty last line
    bad_lines = np.zeros(len(starts), dtype=bool)
    if bad_spans:
        buffer = buffer.copy()
        for start, end in bad_spans:  # a handful of bad byte sequences, not rows
            buffer[start:end] = ord("?")
        bad_starts = np.array([span[0] for span in bad_spans], dtype=np.int64)
        bad_lines[np.searchsorted(starts, bad_starts, side="right") - 1] = True
    # Zero-copy: each value is the line including its trailing newline, stripped in SQL.
    offsets = np.concatenate([starts, [len(data)]]).astype(np.int64)
    text = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(buffer), null_count=0)
    table = pa.table(
        {
            "_line": pa.array(np.arange(1, len(starts) + 1, dtype=np.int64)),
            "_text": text,
            "_bad_utf8": pa.array(bad_lines),
        }
    )
    con.register("_lines", table)
    if lines_only:
        return
    con.execute(
        f"insert into _rejects select _line, {line_text_sql()}, 'invalid_utf8', "
        "'line is not valid UTF-8 (bad bytes shown as ?); re-export the file as UTF-8' "
        "from _lines where _bad_utf8"
    ).fetchall()
    con.execute(
        f"create or replace temp view _src_lines as select _line, {line_text_sql()} as _raw from "
        f"_lines where not _bad_utf8 and {NOT_BLANK_SQL}"
    ).fetchall()
    if sample_only:
        _sample_records(con)
    else:
        con.execute(RECORDS_VIEW).fetchall()


def _sample_records(con: duckdb.DuckDBPyConnection) -> None:
    """`_src` over the sample, as RECORDS_VIEW gives it, materialised: detection reads it several times, and each
    pass over the registered lines and RECORDS_VIEW costs tens of milliseconds, which a folder of small files
    pays per file. When no line can hold an array or a page of records (RECORDS_VIEW parses only lines that
    start with `[` or mention "data"), every line is one record and the classification is skipped."""
    con.execute("create or replace temp table _sample_lines as select * from _src_lines").fetchall()
    con.execute("create or replace temp view _src_lines as select * from _sample_lines").fetchall()
    lists = con.execute(
        "select exists (select 1 from _src_lines where starts_with(ltrim(_raw), '[') or contains(_raw, '\"data\"'))"
    ).fetchall()[0][0]
    if lists:
        con.execute(RECORDS_VIEW).fetchall()
        con.execute("create or replace temp table _src_sample as select * from _src").fetchall()
    else:
        con.execute(
            "create or replace temp table _src_sample as select _line, null::bigint as _item, _raw from _src_lines"
        ).fetchall()
    con.execute("create or replace temp view _src as select * from _src_sample").fetchall()


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Every column as text; unparseable rows go to `_rejects` with DuckDB's own line number."""
    con.execute("drop table if exists reject_errors").fetchall()
    con.execute("drop table if exists reject_scans").fetchall()
    try:
        ordered(
            con,
            "create or replace temp table _csv as select row_number() over () as _ord, * from "
            f"read_csv({sql_string(path)}, all_varchar = true, header = true, store_rejects = true, parallel = false, "
            "auto_detect = true, null_padding = false, strict_mode = true)",
        )
    except duckdb.Error as error:
        raise UserError(f"{path}: cannot read as CSV ({error}); check the delimiter, header and encoding") from None
    con.execute(
        "insert into _rejects select line, csv_line, "
        "case when error_type = 'INVALID ENCODING' then 'invalid_utf8' else 'unparseable' end, "
        "'CSV row cannot be read: ' || error_message from reject_errors"
    ).fetchall()
    total_lines = con.execute("select coalesce(max(_ord), 0) from _csv").fetchall()[0][0]
    # Accepted rows are in file order; row k sits on the k-th line after the header that was not rejected.
    con.execute(
        """ create or replace temp table _csv_lines as with candidate as ( select range as _line from range(2,
            ? + (select count(*) from _rejects) + 2) where range not in (select _line from _rejects)
        ) select _line, row_number() over (order by _line) as _ord from candidate
        """,
        [total_lines],
    ).fetchall()
    con.execute(
        "create or replace temp view _src as select l._line, null::varchar as _raw, c.* exclude (_ord) "
        "from _csv c join _csv_lines l using (_ord)"
    ).fetchall()
