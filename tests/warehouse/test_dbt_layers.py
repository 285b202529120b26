"""The dbt project keeps its layers honest: checks on the manifest.json of `dbt parse` (dbt as a subprocess).

The rules, as the dbt-project-evaluator states them, written locally (hub packages cannot be installed here):
- a model's layer is its top folder under models/, in the order staging < intermediate < core < marts; a model
  refs models of its own layer or of a lower one only (seeds sit below every layer);
- only staging models call source(), and a staging model refs no other model;
- staging, intermediate and marts models sit in a folder of their area (models/intermediate/cost/...), never
  loose in the layer's folder;
- every model and every column it documents has a description (test_every_built_column_is_documented checks
  that the yml documents every column the model really has);
- every model has a primary-key test: unique and not_null on one column, or unique_combination_of_columns.
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

from synapscale.pipeline.dbt import dbt_invocation
from tests.support.cli import Published
from tests.support.paths import PROJECT_DIR
from tests.support.warehouse import copy_project

LAYERS = ("staging", "intermediate", "core", "marts")
LAYERS_WITH_AREAS = ("staging", "intermediate", "marts")
KEY_TESTS = {"unique", "not_null"}


def parse_project(project_dir: Path, work_dir: Path) -> Path:
    """Run `dbt parse` on project_dir with target and logs under work_dir; the path of the manifest."""
    command, env = dbt_invocation(project_dir, work_dir / "parse.duckdb", work_dir, ["parse"])
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=project_dir, check=False)
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return work_dir / "target" / "manifest.json"


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}


def _layer(model: dict[str, Any]) -> str:
    return Path(model["path"]).parts[0]


def _keyed_models(manifest: dict[str, Any]) -> set[str]:
    """Models with a primary-key test: unique + not_null on one column, or unique_combination_of_columns."""
    column_tests: dict[tuple[str, str], set[str]] = defaultdict(set)
    keyed = set()
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata")
        if node["resource_type"] != "test" or not metadata or not node.get("attached_node"):
            continue
        if metadata["name"] == "unique_combination_of_columns":
            keyed.add(node["attached_node"])
        elif metadata["name"] in KEY_TESTS and node.get("column_name"):
            column_tests[(node["attached_node"], node["column_name"])].add(metadata["name"])
    keyed |= {model for (model, _), tests in column_tests.items() if tests >= KEY_TESTS}
    return keyed


def layer_violations(manifest_path: Path) -> list[str]:
    """Every broken rule, one line each, naming the model and the rule; empty when the project keeps them all."""
    manifest = json.loads(manifest_path.read_text())
    models = _models(manifest)
    keyed = _keyed_models(manifest)
    violations = []
    for uid, model in sorted(models.items(), key=lambda item: item[1]["name"]):
        name, layer, folders = model["name"], _layer(model), Path(model["path"]).parts[:-1]
        if layer not in LAYERS:
            violations.append(f"{name}: lies outside the layers ({model['path']}; layers: {', '.join(LAYERS)})")
            continue
        if layer in LAYERS_WITH_AREAS and len(folders) < 2:
            violations.append(
                f"{name}: sits loose in models/{layer}/ (put it in an area folder, models/{layer}/<area>/)"
            )
        for dependency in model["depends_on"]["nodes"]:
            if dependency.startswith("source.") and layer != "staging":
                violations.append(f"{name}: calls source() outside staging ({dependency.removeprefix('source.')})")
            if dependency not in models:
                continue
            used, used_layer = models[dependency]["name"], _layer(models[dependency])
            if layer == "staging":
                violations.append(f"{name}: a staging model refs another model ({used})")
            elif used_layer in LAYERS and LAYERS.index(used_layer) > LAYERS.index(layer):
                violations.append(f"{name}: refs {used} ({used_layer}), a layer above its own ({layer})")
        if not model["description"].strip():
            violations.append(f"{name}: has no description")
        violations += [
            f"{name}: column {column} has no description"
            for column, spec in model["columns"].items()
            if not (spec.get("description") or "").strip()
        ]
        if uid not in keyed:
            violations.append(
                f"{name}: has no primary-key test (unique + not_null on a column, or unique_combination_of_columns)"
            )
    return violations


def undocumented_columns(manifest_path: Path, database: Path) -> list[str]:
    """Columns a built model has but its yml does not document (with a description)."""
    models = _models(json.loads(manifest_path.read_text()))
    with duckdb.connect(str(database), read_only=True) as con:
        built = con.execute("select schema_name, table_name, column_name from duckdb_columns()").fetchall()
    columns_by_relation: dict[tuple[str, str], list[str]] = defaultdict(list)
    for schema, relation, column in built:
        columns_by_relation[(schema, relation)].append(column)
    missing = []
    for model in sorted(models.values(), key=lambda node: node["name"]):
        if model["config"]["materialized"] == "ephemeral":
            continue
        actual = columns_by_relation.get((model["schema"], model["alias"]))
        if actual is None:
            missing.append(f"{model['name']}: not built in {database}")
            continue
        documented = {name for name, spec in model["columns"].items() if (spec.get("description") or "").strip()}
        missing += [
            f"{model['name']}: column {column} is not documented" for column in actual if column not in documented
        ]
    return missing


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return parse_project(PROJECT_DIR, tmp_path_factory.mktemp("dbt_parse"))


def test_layers_point_one_way_and_every_model_is_documented_and_keyed(manifest: Path) -> None:
    assert layer_violations(manifest) == []


def test_every_built_column_is_documented(manifest: Path, published: Published) -> None:
    assert undocumented_columns(manifest, published.build_db) == []


# Models that each break one rule (and keep the others), added to a copy of the project.
OFFENDERS = {
    "models/intermediate/cost/int_usage_read_from_core.sql": "select event_id from {{ ref('usage_logs') }}",
    "models/core/calls_from_raw.sql": "select event_id from {{ source('raw', 'usage_events') }}",
    "models/staging/raw/stg_raw__calls_again.sql": "select event_id from {{ ref('stg_raw__usage_events') }}",
    "models/intermediate/int_loose.sql": "select event_id from {{ ref('int_usage_events_deduplicated') }}",
    "models/marts/cost/cost_undocumented.sql": "select model from {{ ref('cost_daily') }}",
    "models/marts/cost/cost_without_key.sql": "select model from {{ ref('cost_daily') }}",
}
OFFENDERS_YML = """
version: 2
models:
  - name: int_usage_read_from_core
    description: Reads core from intermediate.
    columns: [{name: event_id, description: The call., data_tests: [unique, not_null]}]
  - name: calls_from_raw
    description: Reads raw from core.
    columns: [{name: event_id, description: The call., data_tests: [unique, not_null]}]
  - name: stg_raw__calls_again
    description: A staging model on top of another.
    columns: [{name: event_id, description: The call., data_tests: [unique, not_null]}]
  - name: int_loose
    description: An intermediate model outside an area folder.
    columns: [{name: event_id, description: The call., data_tests: [unique, not_null]}]
  - name: cost_undocumented
    columns: [{name: model, data_tests: [unique, not_null]}]
  - name: cost_without_key
    description: A mart with no primary-key test.
    columns: [{name: model, description: The model., data_tests: [not_null]}]
"""


def test_the_checker_names_each_model_that_breaks_a_rule(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    for path, sql in OFFENDERS.items():
        (project / path).write_text(sql + "\n")
    (project / "models" / "_offenders__models.yml").write_text(OFFENDERS_YML)

    violations = layer_violations(parse_project(project, tmp_path / "work"))

    assert violations == [
        "calls_from_raw: calls source() outside staging (synapscale.raw.usage_events)",
        "cost_undocumented: has no description",
        "cost_undocumented: column model has no description",
        "cost_without_key: has no primary-key test (unique + not_null on a column, or unique_combination_of_columns)",
        "int_loose: sits loose in models/intermediate/ (put it in an area folder, models/intermediate/<area>/)",
        "int_usage_read_from_core: refs usage_logs (core), a layer above its own (intermediate)",
        "stg_raw__calls_again: a staging model refs another model (stg_raw__usage_events)",
    ]
