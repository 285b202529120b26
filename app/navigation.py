"""Which pages exist: each page names the marts it reads, and is offered only when the serve file has them, so
the app works on today's marts and a page appears on the first publication that carries its mart."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

SECTIONS = ("Spend", "Models", "Planning", "Operations")


@dataclass(frozen=True)
class PageSpec:
    section: str
    title: str
    script: str  # relative to app/ (not app/pages/: Streamlit would read that folder as an old-style page list)
    url_path: str
    icon: str
    requires: tuple[str, ...]  # relations (schema.table) the page reads
    params: tuple[str, ...] = ()  # the page's own query parameters, beside the shared filters


PAGES = (
    PageSpec(
        "Spend",
        "Overview",
        "views/overview.py",
        "overview",
        ":material/dashboard:",
        ("marts.cost_daily", "marts.cost_hourly"),
    ),
    PageSpec(
        "Spend",
        "Cost explorer",
        "views/cost_explorer.py",
        "cost_explorer",
        ":material/query_stats:",
        ("marts.cost_daily", "marts.cost_hourly"),
        params=("by",),
    ),
    PageSpec(
        "Spend",
        "Invoices",
        "views/invoices.py",
        "invoices",
        ":material/receipt_long:",
        ("marts.invoices", "marts.invoice_lines"),
        params=("invoice",),
    ),
)


def available(relations: Collection[str]) -> dict[str, list[PageSpec]]:
    """The pages whose marts are all published, grouped by section in menu order (empty sections left out)."""
    grouped: dict[str, list[PageSpec]] = {}
    for section in SECTIONS:
        pages = [spec for spec in PAGES if spec.section == section and set(spec.requires) <= set(relations)]
        if pages:
            grouped[section] = pages
    return grouped
