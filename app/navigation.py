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
        ("marts.cost_daily", "marts.cost_daily_by_user", "marts.cost_daily_user_totals"),
    ),
    PageSpec(
        "Spend",
        "Cost explorer",
        "views/cost_explorer.py",
        "cost_explorer",
        ":material/query_stats:",
        ("marts.cost_daily", "marts.cost_daily_by_user", "marts.cost_daily_user_totals"),
        params=("by",),
    ),
    PageSpec(
        "Spend",
        "Invoices",
        "views/invoices.py",
        "invoices",
        ":material/receipt_long:",
        ("marts.invoices", "marts.invoice_lines"),
        params=("invoice", "focus_month"),
    ),
    PageSpec(
        "Spend",
        "What-if repricing",
        "views/whatif.py",
        "whatif",
        ":material/swap_horiz:",
        ("marts.whatif_repricing_daily", "marts.whatif_targets_daily"),
        params=("target",),
    ),
    PageSpec(
        "Models",
        "Model performance",
        "views/performance.py",
        "performance",
        ":material/speed:",
        (
            "marts.model_provider_performance_daily",
            "marts.workspace_model_performance_daily",
            "marts.model_errors_daily",
        ),
    ),
    PageSpec(
        "Models",
        "Feedback and quality",
        "views/quality.py",
        "quality",
        ":material/thumb_up:",
        (
            "marts.workspace_model_feedback_daily",
            "marts.workspace_model_performance_daily",
        ),
    ),
    PageSpec(
        "Models",
        "Recommendations",
        "views/recommendations.py",
        "recommendations",
        ":material/recommend:",
        ("marts.model_recommendations",),
    ),
    PageSpec(
        "Planning",
        "Trends",
        "views/trends.py",
        "trends",
        ":material/trending_up:",
        ("marts.workspace_trends_daily", "marts.workspace_spend_anomalies"),
    ),
    PageSpec(
        "Planning",
        "Budgets and alerts",
        "views/budgets.py",
        "budgets",
        ":material/savings:",
        ("marts.budget_status", "marts.alert_events"),
    ),
    PageSpec(
        "Planning",
        "Churn risk",
        "views/churn.py",
        "churn",
        ":material/person_remove:",
        ("marts.workspace_churn_risk",),
    ),
    PageSpec(
        "Operations",
        "Data quality",
        "views/data_quality.py",
        "data_quality",
        ":material/fact_check:",
        (
            "marts.quarantine_daily",
            "marts.unpriced_usage_daily",
            "marts.unknown_models_daily",
            "marts.usage_arrival_lateness_daily",
        ),
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
