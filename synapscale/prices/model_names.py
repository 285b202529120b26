"""Raw model name -> canonical llm_id in the curated seeds, exactly as dbt's int_model_names_resolved does it (dbt
then looks the same three forms up in the LiteLLM fallback, int_litellm_models; the import needs only the curated part).

The normalisation patterns have one home: the vars `model_name_prefix_patterns` and
`model_name_suffix_patterns` of dbt_project.yml, which the SQL macros (macros/cost.sql) and this module both
read. Each list is applied in order, each pattern once, its match replaced by ''.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from synapscale.settings import PROJECT_DIR


@cache
def patterns(project_dir: Path = PROJECT_DIR) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """(prefix patterns, suffix patterns) from dbt_project.yml's vars."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    variables = project["vars"]
    return (
        tuple(re.compile(p) for p in variables["model_name_prefix_patterns"]),
        tuple(re.compile(p) for p in variables["model_name_suffix_patterns"]),
    )


def _strip(name: str, rules: Iterable[re.Pattern[str]]) -> str:
    for pattern in rules:
        name = pattern.sub("", name, count=1)
    return name


def strip_model_name_prefixes(name: str) -> str:
    """Provider routing prefixes (`openai/`), then a region prefix (`us.`), then a vendor prefix (`anthropic.`)."""
    return _strip(name, patterns()[0])


def strip_model_name_suffixes(name: str) -> str:
    """Date and version suffixes (`-v1:0`, `-latest`, `@20240229`, `-2024-08-06`, `-20240229`, `-001`)."""
    return _strip(name, patterns()[1])


def model_name_forms(raw: str) -> tuple[str, str, str]:
    """The three spellings looked up, in order: as reported, without prefixes, normalised."""
    as_reported = raw.strip().lower()
    without_prefixes = strip_model_name_prefixes(as_reported)
    return as_reported, without_prefixes, strip_model_name_suffixes(without_prefixes)


def resolve_model_name(raw: str, lookup: dict[str, str]) -> str | None:
    """llm_id for a raw name, as int_model_names_resolved does it; `lookup` maps lower-case names to ids."""
    for form in model_name_forms(raw):
        if form in lookup:
            return lookup[form]
    return None


def build_name_lookup(aliases: Iterable[dict[str, str]], catalog: Iterable[dict[str, str]]) -> dict[str, str]:
    """Alias seed first, then the catalog's own ids (an alias wins over an llm_id spelled the same)."""
    lookup = {row["llm_id"].strip().lower(): row["llm_id"] for row in catalog}
    lookup.update({row["alias"].strip().lower(): row["llm_id"] for row in aliases})
    return lookup
