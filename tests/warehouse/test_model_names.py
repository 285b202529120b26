"""The model-name rules have one copy (dbt_project.yml vars); the SQL macros and the Python import read it.
This runs both on the same names and finds them equal: the macros through `dbt show` in DuckDB, the Python
functions directly. The names are every key of the real LiteLLM catalog (thousands of real spellings), the
alias seed, the generator's raw names and a few edge cases."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
from pathlib import Path

from synapscale.generate.catalog import UNKNOWN_VARIANTS, VARIANTS
from synapscale.pipeline.dbt import dbt_invocation
from synapscale.prices.litellm_fallback import shipped_catalog
from synapscale.prices.model_names import model_name_forms
from tests.support.paths import PROJECT_DIR

EDGE_CASES = (
    "openai/openai/gpt-4o",  # the routing prefix repeats
    "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "vertex_ai/claude-3-opus@20240229",
    "gpt-4-0125-preview",  # four-digit OpenAI suffix: kept
    "gemini-1.5-pro-002",
    "mistral-large-latest",
    "eu.meta.llama3-2-90b-instruct-v1:0",
    "GPT-4O-2024-08-06",
    "o'brien-model",  # a quote must survive the SQL literal
)


def _names() -> list[str]:
    catalog_path = shipped_catalog(PROJECT_DIR / "seeds")
    with gzip.open(catalog_path, "rt", encoding="utf-8") as handle:
        keys = [key for key in json.load(handle) if key != "sample_spec"]
    with (PROJECT_DIR / "seeds" / "llm_aliases.csv").open(encoding="utf-8") as handle:
        aliases = [row["alias"] for row in csv.DictReader(handle)]
    generated = [variant.raw_name for variant in VARIANTS + UNKNOWN_VARIANTS]
    return sorted({name for name in (*keys, *aliases, *generated, *EDGE_CASES) if name == name.strip()})


def _sql_forms(names: list[str], work_dir: Path) -> dict[str, tuple[str, str]]:
    names_file = work_dir / "names.csv"
    with names_file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["n"], *([name] for name in names)])
    inline = (
        "select n, {{ strip_model_name_prefixes('lower(n)') }} as p, "
        "{{ strip_model_name_suffixes(strip_model_name_prefixes('lower(n)')) }} as s "
        f"from read_csv('{names_file}', header = true, columns = {{'n': 'VARCHAR'}}, quote = '\"')"
    )
    args = ["show", "--inline", inline, "--output", "json", "--limit", str(len(names) + 1), "--quiet"]
    command, env = dbt_invocation(PROJECT_DIR, work_dir / "build.duckdb", work_dir, args)
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_DIR, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = json.loads(result.stdout[result.stdout.index("{") :])["show"]
    return {row["n"]: (row["p"], row["s"]) for row in rows}


def test_sql_and_python_normalise_every_name_alike(tmp_path: Path) -> None:
    names = _names()
    assert len(names) > 2000  # the real catalog is there
    sql = _sql_forms(names, tmp_path)
    assert set(sql) == set(names)
    python = {name: model_name_forms(name)[1:] for name in names}
    differing = {name: (sql[name], python[name]) for name in names if sql[name] != python[name]}
    assert not differing, f"{len(differing)} names differ (sql, python): {list(differing.items())[:10]}"
    # The rules do something: real spellings collapse to their canonical form.
    assert model_name_forms("openai/gpt-4o-2024-08-06")[1:] == ("gpt-4o-2024-08-06", "gpt-4o")
    assert model_name_forms("us.anthropic.claude-3-opus-20240229-v1:0")[1:] == (
        "claude-3-opus-20240229-v1:0",
        "claude-3-opus",
    )
    assert model_name_forms("gpt-4-0125-preview")[1:] == ("gpt-4-0125-preview", "gpt-4-0125-preview")
