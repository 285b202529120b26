"""Attribution: the mapping file, the precedence of rules, record ids and defaults, and the command line flags of
`synapscale ingest` (run as a subprocess, as the scheduler would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.attribution import Attribution, Rule
from ingest.errors import UserError
from tests.ingest.shapes import FIXTURES, load, query

SPANS = FIXTURES / "otel_genai" / "spans_as_exported.jsonl"
SPEND_LOGS = FIXTURES / "litellm_spend_logs" / "spend_logs.json"


def test_the_mapping_file_reads_as_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "a.toml"
    toml.write_text('workspace = "w"\n[[rule]]\nattribute = "team_id"\nequals = "t1"\nworkspace = "w1"\n')
    as_json = tmp_path / "a.json"
    rule = {"attribute": "team_id", "equals": "t1", "workspace": "w1"}
    as_json.write_text(json.dumps({"workspace": "w", "rule": [rule]}))
    expected = Attribution(workspace="w", rules=(Rule(attribute="team_id", equals="t1", workspace="w1"),))
    assert Attribution.load(toml) == Attribution.load(as_json) == expected
    assert expected.with_defaults(None, "u").user == "u" and expected.with_defaults("w2", None).workspace == "w2"


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ('workspaces = "w"', "unexpected ['workspaces']"),
        ('[[rule]]\nattribute = "a"\nequals = "b"', "give `workspace`, `user` or both"),
        ('[[rule]]\nequals = "b"\nworkspace = "w"', "`attribute` is required"),
        ('workspace = ""', "`workspace` must be a non-empty string"),
        ("workspace = ", "cannot read the attribution file"),
    ],
)
def test_a_bad_mapping_file_names_the_file_and_the_problem(tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(UserError) as error:
        Attribution.load(path)
    assert str(path) in str(error.value) and complaint in str(error.value)


def test_values_become_literals_not_sql(tmp_path: Path) -> None:
    # A quote in a mapping value stays data.
    attribution = Attribution(workspace="ws'; drop table raw.usage_event_rows; --")
    db, report = load(tmp_path, SPANS, attribution=attribution)
    assert report.files[0].loaded == 3
    assert {w for (w,) in query(db, "select distinct workspace_id from raw.usage_events")} == {attribution.workspace}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNAPSCALE_WAREHOUSE": str(cwd / "warehouse")}
    return subprocess.run(
        [sys.executable, "-m", "synapscale", "ingest", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_cli_without_workspace_quarantines_with_the_flag_named(tmp_path: Path) -> None:
    done = _cli(str(SPANS), str(SPEND_LOGS), cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # bad records do not fail the run
    db = tmp_path / "warehouse" / "build.duckdb"
    assert query(db, "select reason_code, count(*) from raw.quarantine group by 1") == [("missing_attribution", 5)]
    assert all("--workspace" in message for (message,) in query(db, "select reason_message from raw.quarantine"))


def test_cli_with_workspace_loads_both_exports(tmp_path: Path) -> None:
    done = _cli(str(SPANS), str(SPEND_LOGS), "--workspace", "ws-cli", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    db = tmp_path / "warehouse" / "build.duckdb"
    # 3 GenAI spans + 2 spend-log rows, all in the given workspace
    assert query(db, "select workspace_id, count(*) from raw.usage_events group by 1") == [("ws-cli", 5)]
    assert query(db, "select count(*) from raw.quarantine") == [(0,)]


def test_cli_attribution_file_and_user_flag(tmp_path: Path) -> None:
    mapping = tmp_path / "attribution.toml"
    mapping.write_text('[[rule]]\nattribute = "service.name"\nequals = "joke-bot"\nworkspace = "ws-jokes"\n')
    done = _cli(str(SPANS), "--attribution", str(mapping), "--workspace", "ws-rest", "--user", "u-flag", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    got = query(tmp_path / "warehouse" / "build.duckdb", "select model, workspace_id, user_id from raw.usage_events")
    assert sorted(got) == [
        # --user is a default: the span's own user.id wins; the others had no user attribute
        ("amazon.titan-text-lite-v1", "ws-rest", "u-flag"),
        ("claude-3-opus-20240229", "ws-jokes", "u-flag"),
        ("gpt-4o-mini-2024-07-18", "ws-rest", "u-otel-1"),
    ]


def test_cli_rejects_a_bad_mapping_file_before_touching_anything(tmp_path: Path) -> None:
    mapping = tmp_path / "attribution.toml"
    mapping.write_text("rule = 3\n")
    done = _cli(str(SPANS), "--attribution", str(mapping), cwd=tmp_path)
    assert done.returncode == 2 and str(mapping) in done.stderr
    assert not (tmp_path / "warehouse").exists()
