"""`synapscale ingest` and `synapscale generate` through the real argument parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from synapscale.cli import main
from tests.support.ingest import FIXTURES, query


def test_ingest_command_loads_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "warehouse"
    code = main(["ingest", str(FIXTURES / "anthropic"), str(FIXTURES / "corrupted"), "--warehouse", str(warehouse)])
    out = capsys.readouterr().out
    assert code == 0
    assert "messages.jsonl: usage via anthropic: read 3, loaded 3, duplicates skipped 0, quarantined 0" in out
    assert "usage_corrupted.jsonl: usage via canonical: read 17, loaded 4, duplicates skipped 1, quarantined 12" in out
    assert out.strip().splitlines()[-1].startswith("total: 7 files")
    assert query(warehouse / "build.duckdb", "select count(*) from raw.load_manifest")[0][0] == 7


def test_ingest_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "warehouse"
    assert main(["ingest", str(FIXTURES / "gemini"), "--adapter", "nope", "--warehouse", str(warehouse)]) == 2
    assert "unknown adapter 'nope'" in capsys.readouterr().err
    odd = tmp_path / "mystery.jsonl"
    odd.write_text('{"foo": 1}\n')
    assert main(["ingest", str(odd), "--warehouse", str(warehouse)]) == 1


def test_generate_command(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    code = main(
        [
            "generate",
            "--events",
            "5000",
            "--days",
            "20",
            "--workspaces",
            "4",
            "--users",
            "12",
            "--seed",
            "9",
            "--format",
            "jsonl",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["feedback.jsonl", "usage_2025-03.jsonl", "users.jsonl", "workspaces.jsonl"]
    lines = sum(len(p.read_text().splitlines()) for p in out.glob("usage_*.jsonl"))
    assert lines == 5000
