"""The marts' documentation holds: every example query of docs/marts/ runs on a published serve file, every mart
has its section (grain and columns) on its area's page, and no description is written out twice (a description
used in several places is a doc block)."""

from __future__ import annotations

import re
from collections import defaultdict

import duckdb
import pytest
import yaml

from tests.support.cli import Published
from tests.support.paths import PROJECT_DIR

DOCS = PROJECT_DIR / "docs" / "marts"
AREAS = ("cost", "performance", "trends", "quality", "data_quality", "focus")
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return [
        (page.name, block)
        for page in sorted(DOCS.glob("*.md"))
        for block in SQL_BLOCK.findall(page.read_text())
        if "{{" not in block  # dbt model code, not a query
    ]


@pytest.mark.parametrize(("page", "sql"), _examples(), ids=lambda value: value if value.endswith(".md") else "")
def test_example_query_runs_on_the_serve_file(published: Published, page: str, sql: str) -> None:
    with duckdb.connect(str(published.serve_db), read_only=True) as con:
        for statement in sql.split(";"):  # statements end with ';' (none inside a comment or literal)
            if re.sub(r"--[^\n]*", "", statement).strip():
                con.execute(statement).fetchall()


@pytest.mark.parametrize("area", AREAS)
def test_every_mart_of_an_area_has_its_section_on_the_area_page(area: str) -> None:
    models = yaml.safe_load((PROJECT_DIR / "models" / "marts" / area / f"_{area}__models.yml").read_text())["models"]
    page = (DOCS / f"{area}.md").read_text()
    missing = [model["name"] for model in models if f"### `marts.{model['name']}`" not in page]
    assert missing == []


def _descriptions(node: object, where: str, found: dict[str, list[str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str) and "{{ doc(" not in value:
                found[" ".join(value.split())].append(where)
            else:
                _descriptions(value, where, found)
    elif isinstance(node, list):
        for item in node:
            _descriptions(item, where, found)


def test_no_description_is_written_out_twice() -> None:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        _descriptions(yaml.safe_load(path.read_text()), str(path.relative_to(PROJECT_DIR)), found)
    for path in sorted((PROJECT_DIR / "models").rglob("*.md")):
        for name, text in re.findall(r"\{% docs (\w+) %\}(.*?)\{% enddocs %\}", path.read_text(), re.S):
            found[" ".join(text.split())].append(f"{path.relative_to(PROJECT_DIR)}:{name}")
    repeated = {text: places for text, places in found.items() if len(places) > 1}
    assert repeated == {}, "write these once, as a doc block:\n" + "\n".join(
        f"  {text!r}: {places}" for text, places in repeated.items()
    )
