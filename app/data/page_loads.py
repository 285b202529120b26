"""Every dashboard page's data functions as the page calls them, with the result cache bypassed: what a viewer
waits for with filters nobody asked for yet. The two benchmarks (benchmarks/dashboard_queries.py and the dashboard
step of `synapscale bench`) time these; a page added to the app is added here."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import timedelta

from app import data
from app.data.publications import invoices_view, whatif_view

Load = Callable[[data.Serve, data.Filters], object]


def uncached(function: Callable[..., object]) -> Callable[..., object]:
    """The function under st.cache_data, called directly."""
    return getattr(function, "__wrapped__", function)


def shell(serve: data.Serve, filters: data.Filters) -> object:
    return uncached(data.snapshot)(serve)


def with_shell(page: Load) -> Load:
    """A whole page load: the shell's queries, then the page's own."""
    return lambda serve, filters: (shell(serve, filters), page(serve, filters))


def local_days(page: Load) -> Load:
    """The same page with each workspace's own days."""
    return lambda serve, filters: page(serve, dataclasses.replace(filters, day_boundary="local"))


def one_tag(page: Load) -> Load:
    """The same page with the tag filter on the publication's first real tag (the tag filter reads the
    call x tag mart, the largest the spend pages read)."""
    return lambda serve, filters: page(serve, dataclasses.replace(filters, tags=_first_tag(serve)))


@functools.cache
def _first_tag(serve: data.Serve) -> tuple[str, ...]:
    tags = uncached(data.snapshot)(serve).choices["utc"].tags
    return tuple(tag for tag in tags if not tag.startswith("("))[:1]


PAGES: dict[str, Load] = {
    "shell alone (the snapshot: marts, publication, filter choices)": shell,
    "Overview": with_shell(lambda serve, filters: uncached(data.overview)(serve, filters)),
    "Cost explorer, by workspace": with_shell(
        lambda serve, filters: uncached(data.cost_explorer)(serve, filters, "workspace")
    ),
    "Cost explorer, by user": with_shell(lambda serve, filters: uncached(data.cost_explorer)(serve, filters, "user")),
    "Cost explorer, by tag": with_shell(lambda serve, filters: uncached(data.cost_explorer)(serve, filters, "tag")),
    "Overview, one tag": with_shell(one_tag(lambda serve, filters: uncached(data.overview)(serve, filters))),
    "Cost explorer by user, one tag": with_shell(
        one_tag(lambda serve, filters: uncached(data.cost_explorer)(serve, filters, "user"))
    ),
    "Overview, each workspace's own days": with_shell(local_days(lambda s, f: uncached(data.overview)(s, f))),
    "Cost explorer by user, own days": with_shell(local_days(lambda s, f: uncached(data.cost_explorer)(s, f, "user"))),
    "Invoices (and one invoice's lines)": with_shell(lambda serve, filters: invoices_view(serve, filters, uncached)),
    "What-if repricing (every target, then the cheapest)": with_shell(
        lambda serve, filters: whatif_view(serve, filters, uncached)
    ),
    "Model performance": with_shell(lambda serve, filters: uncached(data.performance)(serve, filters)),
    "Feedback and quality": with_shell(lambda serve, filters: uncached(data.quality)(serve, filters)),
    "Recommendations": with_shell(lambda serve, filters: uncached(data.recommendations)(serve, filters)),
    "Trends": with_shell(lambda serve, filters: uncached(data.trends)(serve, filters)),
    "Budgets and alerts": with_shell(lambda serve, filters: uncached(data.budgets)(serve, filters)),
    "Churn risk": with_shell(lambda serve, filters: uncached(data.churn)(serve, filters)),
    "Data quality": with_shell(lambda serve, filters: uncached(data.data_quality)(serve, filters)),
}


def views(serve: data.Serve) -> dict[str, data.Filters]:
    choices = uncached(data.snapshot)(serve).choices["utc"]
    assert choices.first_day and choices.last_day, "the warehouse holds no usage"
    default = data.Filters(max(choices.first_day, choices.last_day - timedelta(days=29)), choices.last_day)
    busiest = uncached(data.cost_explorer)(serve, default, "workspace").top_workspaces["workspace_id"].head(3)
    filtered = data.Filters(
        default.end - timedelta(days=13), default.end, workspaces=tuple(busiest), providers=("openai", "anthropic")
    )
    return {"default": default, "filtered": filtered}
