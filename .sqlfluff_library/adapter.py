"""`adapter` for sqlfluff's jinja templater, which has no dbt adapter to dispatch with.

The cross-engine macros (macros/cross_engine.sql) call `adapter.dispatch(name, 'synapscale')(args)`. For linting,
a dispatched macro renders as a call of its own name with its arguments (`hours_between(a, b)`), which is valid
SQL of the same shape, and a `type_*` macro renders as the DuckDB type it stands for. Only sqlfluff uses this;
dbt dispatches for real.
"""

from __future__ import annotations

from collections.abc import Callable

TYPES = {"type_timestamptz": "timestamptz", "type_varchar": "varchar", "type_varchar_list": "varchar[]"}
# Arguments that are text, not SQL (a strftime pattern, a regex, a separator): rendered as string literals.
TEXT_ARGUMENTS = {"format_datetime": {1}, "regex_replace": {1, 2}, "string_agg_ordered": {1}}


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., str]:
    def render(*args: object) -> str:
        if macro_name in TYPES:
            return TYPES[macro_name]
        if macro_name.startswith("type_"):
            return macro_name.removeprefix("type_")
        text = TEXT_ARGUMENTS.get(macro_name, set())
        rendered = (f"'{arg}'" if position in text else str(arg) for position, arg in enumerate(args))
        return f"{macro_name}({', '.join(rendered)})"

    return render
