"""dbt's `adapter` for sqlfluff's jinja templater (the dbt one is not installed): `adapter.dispatch(name, ...)`
renders the DuckDB form, `default__<name>`, of a macro of macros/cross_engine.sql, as dbt-duckdb does."""

from jinja2 import pass_context
from jinja2.runtime import Context


@pass_context
def dispatch(context: Context, macro_name: str, _namespace: str | None = None):
    return context[f"default__{macro_name}"]
