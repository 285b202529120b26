"""Attribution: the workspace and user of records that carry none of this product's ids (OTel spans, gateway and
observability exports), set per run.

For each of workspace_id and user_id, the first that gives a value wins:
1. a rule of the mapping file (`--attribution FILE`) whose attribute has the given value (file order);
2. the record's own id, from the attributes its adapter maps (docs/ingest.md, "Attribution");
3. the run default: `--workspace` / `--user`, else the file's top-level `workspace` / `user`;
4. for the user only, the caller the shape records when it names no end user (OTel: the resource's service.name;
   LiteLLM: the hashed API key), so spans of a backend service load once their workspace is known.

The mapping file is TOML (`.toml`) or JSON (`.json`):

    workspace = "ws-imported"          # default workspace (optional)
    user = "unknown"                   # default user (optional)

    [[rule]]                           # any number; the first that matches sets the id
    attribute = "team_id"              # an attribute the record's adapter knows (see docs/ingest.md)
    equals = "e8d1460f-846c-45d7-9b43-55f3cc52ac32"
    workspace = "ws-acme"              # and/or user = "..."

Values only ever become SQL string literals (quotes doubled), never SQL text.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ingest.errors import UserError

Field = Literal["workspace", "user"]
_TOP_KEYS = {"workspace", "user", "rule"}
_RULE_KEYS = {"attribute", "equals", "workspace", "user"}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Rule:
    """Records whose `attribute` equals `equals` get this workspace and/or user."""

    attribute: str
    equals: str
    workspace: str | None = None
    user: str | None = None


@dataclass(frozen=True)
class Attribution:
    """Run-level attribution settings; the empty default changes nothing."""

    workspace: str | None = None
    user: str | None = None
    rules: tuple[Rule, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Attribution:
        """Read a mapping file (TOML or JSON by suffix); a UserError names the file and what is wrong."""
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        except (OSError, UnicodeError, ValueError) as error:
            raise UserError(
                f"{path}: cannot read the attribution file ({error}); see docs/ingest.md#attribution"
            ) from None
        return cls._from_dict(path, data)

    @classmethod
    def _from_dict(cls, path: Path, data: Any) -> Attribution:
        if not isinstance(data, dict) or set(data) - _TOP_KEYS:
            extra = sorted(set(data) - _TOP_KEYS) if isinstance(data, dict) else type(data).__name__
            raise UserError(f"{path}: unexpected {extra}; allowed: workspace, user, rule (docs/ingest.md#attribution)")
        rules = data.get("rule", [])
        if not isinstance(rules, list):
            raise UserError(f"{path}: `rule` must be a list of tables ([[rule]]); see docs/ingest.md#attribution")
        return cls(
            workspace=_text(path, data, "workspace"),
            user=_text(path, data, "user"),
            rules=tuple(_rule(path, number, rule) for number, rule in enumerate(rules, start=1)),
        )

    def with_defaults(self, workspace: str | None, user: str | None) -> Attribution:
        """The command line's --workspace / --user win over the file's defaults."""
        return replace(self, workspace=workspace or self.workspace, user=user or self.user)

    def id_sql(
        self, field: Field, native: str, lookup: Callable[[str], str | None], fallback: str | None = None
    ) -> str:
        """SQL for the record's workspace or user id: a matching rule, else `native` (SQL over the record), else
        the default, else `fallback` (SQL: the caller a shape records when it names no user, e.g. OTel's
        service.name). `lookup` gives the SQL of an attribute by name, or None when the adapter has no such
        attribute (rules on it then never match)."""
        whens = []
        for rule in self.rules:
            value = getattr(rule, field)
            attribute = lookup(rule.attribute)
            if value is not None and attribute is not None:
                whens.append(f"when ({attribute})::varchar = {_literal(rule.equals)} then {_literal(value)}")
        parts = [f"(case {' '.join(whens)} end)"] if whens else []
        parts.append(f"nullif(trim(({native})::varchar), '')")
        default = getattr(self, field)
        if default is not None:
            parts.append(_literal(default))
        if fallback is not None:
            parts.append(f"nullif(trim(({fallback})::varchar), '')")
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"

    def hint(self) -> str:
        """What to do about a record left without a workspace or user (quarantine message)."""
        return (
            "pass --workspace ID (and --user ID) to ingest or run, or map one of the record's attributes with "
            "--attribution FILE (docs/ingest.md#attribution)"
        )


def _text(path: Path, data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{path}: `{key}` must be a non-empty string (docs/ingest.md#attribution)")
    return value


def _rule(path: Path, number: int, rule: Any) -> Rule:
    where = f"{path}: rule {number}"
    if not isinstance(rule, dict) or set(rule) - _RULE_KEYS:
        extra = sorted(set(rule) - _RULE_KEYS) if isinstance(rule, dict) else type(rule).__name__
        raise UserError(f"{where}: unexpected {extra}; allowed: attribute, equals, workspace, user")
    for key in ("attribute", "equals"):
        if not isinstance(rule.get(key), str) or not rule[key]:
            raise UserError(f"{where}: `{key}` is required and must be a non-empty string")
    if rule.get("workspace") is None and rule.get("user") is None:
        raise UserError(f"{where}: give `workspace`, `user` or both")
    return Rule(
        attribute=rule["attribute"],
        equals=rule["equals"],
        workspace=_text(path, rule, "workspace"),
        user=_text(path, rule, "user"),
    )
