"""What happened to each landing file, and the totals of an ingest (records read = loaded + duplicates +
quarantined, per file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


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
    batch_files: int = 1  # loaded together with this many files (ingest/batch.py); `seconds` are the batch's


# Called inside a file's transaction once its records, quarantine rows and manifest row are written, just
# before the commit. The crash tests kill the process from here (tests/ingest/test_atomicity.py).
BeforeCommit = Callable[[FileResult], None]


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


def describe(result: FileResult) -> str:
    if result.error is not None:
        return f"{result.file}: FAILED: {result.error}"
    if result.skipped_already_loaded:
        return f"{result.file}: already loaded (load {result.load_id}), skipped"
    seconds = f"{result.seconds:.2f}s" + (
        f" for a batch of {result.batch_files} files" if result.batch_files > 1 else ""
    )
    return (
        f"{result.file}: {result.record_type} via {result.adapter}: read {result.read}, loaded "
        f"{result.loaded}, "
        f"duplicates skipped {result.duplicates}, quarantined {result.quarantined} ({seconds})"
    )


def describe_total(report: IngestReport) -> str:
    return (
        f"total: {len(report.files)} files ({report.skipped_files} already loaded, {report.failed_files} failed): "
        f"read {report.read}, loaded {report.loaded}, duplicates skipped {report.duplicates}, "
        f"quarantined {report.quarantined}"
    )
