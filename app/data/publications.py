"""Which publication the viewers are served, and warming a new one before they are switched to it.

A new publication (a new file renamed over the serve path) is opened and its default views are computed in a
background thread while every viewer is still served the previous one (on Linux the replaced file stays readable
while its database holds it open); then `served` switches to it. So no viewer pays for opening a publication
cold (its catalog and first blocks read from disk: 200-600 ms at 10M events): the first viewer after a
publication finds the default view of every page in the result cache. Only the very first publication a process
sees is opened by its first viewer (there is nothing older to serve meanwhile).

The default view is what a new tab opens on: the last 30 days of data, UTC days, no other filter, each page's
default choice (Cost explorer by workspace, What-if on the cheapest target).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from app import navigation
from app.data import models, operations, planning, spend
from app.data.source import Filters, Serve, current_serve, release_databases, serve_path, snapshot

DEFAULT_DAYS = 30
LOG = logging.getLogger(__name__)


def default_filters(serve: Serve) -> Filters | None:
    """The view a new tab opens on (None when the publication holds no usage)."""
    offered = snapshot(serve).choices.get("utc")
    if offered is None or offered.first_day is None or offered.last_day is None:
        return None
    return Filters(max(offered.first_day, offered.last_day - timedelta(days=DEFAULT_DAYS - 1)), offered.last_day)


def _as_cached(function: Callable[..., object]) -> Callable[..., object]:
    return function


def whatif_view(serve: Serve, filters: Filters, call: Callable[..., Callable[..., object]] = _as_cached) -> object:
    """What-if's view: every target, then the cheapest one's buckets. `call` wraps each data function (the
    benchmarks pass one that bypasses the result cache)."""
    targets = call(planning.whatif_targets)(serve, filters)
    return call(planning.whatif)(serve, filters, targets["target_llm_id"][0]) if targets.height else targets


def invoices_view(serve: Serve, filters: Filters, call: Callable[..., Callable[..., object]] = _as_cached) -> object:
    """Invoices' view: the invoices, then the first one's lines."""
    shown = call(spend.invoices)(serve, filters)
    return call(spend.invoice_lines)(serve, shown["invoice_id"][0]) if shown.height else shown


# Each page's default view, by url_path, through the same cached functions the page calls.
DEFAULT_VIEWS: dict[str, Callable[[Serve, Filters], object]] = {
    "overview": spend.overview,
    "cost_explorer": lambda serve, filters: spend.cost_explorer(serve, filters, "workspace"),
    "invoices": invoices_view,
    "whatif": whatif_view,
    "performance": models.performance,
    "quality": models.quality,
    "recommendations": models.recommendations,
    "trends": planning.trends,
    "budgets": planning.budgets,
    "churn": planning.churn,
    "data_quality": operations.data_quality,
}


def warm(serve: Serve) -> None:
    """Open the publication and compute its snapshot and every available page's default view (into the result
    cache). A page that fails here is left for its viewer, who sees the error as without warming."""
    filters = default_filters(serve)  # the snapshot: the catalog and the filter choices
    if filters is None:
        return
    for section in navigation.available(snapshot(serve).relations).values():
        for spec in section:
            try:
                DEFAULT_VIEWS[spec.url_path](serve, filters)
            except Exception:
                LOG.exception("warming %s of %s failed; its first viewer computes it", spec.url_path, serve.path)


@dataclass
class _Path:
    """One serve path: the publication served, and the newer one being warmed (with its thread)."""

    served: Serve | None = None
    warming: Serve | None = None
    thread: threading.Thread | None = None


_PATHS: dict[str, _Path] = {}
_LOCK = threading.Lock()


def served(path: Path | None = None) -> Serve | None:
    """The publication to show now: the newest one once it is warm, the previous one until then (None when
    nothing is published). Starts warming a new publication the first time it is seen."""
    newest = current_serve((path or serve_path()).resolve())
    if newest is None:
        return None
    with _LOCK:
        state = _PATHS.setdefault(newest.path, _Path())
        if state.served is None or state.served == newest:
            state.served = newest
            return newest
        if state.warming != newest:
            state.warming = newest
            state.thread = threading.Thread(target=_warm_then_serve, args=(state, newest), daemon=True)
            state.thread.name = f"warm {Path(newest.path).name} {newest.identity[0]}"
            context = get_script_run_ctx(suppress_warning=True)
            if context is not None:  # the result cache then works as in the viewer's own run
                add_script_run_ctx(state.thread, context)
            state.thread.start()
        return state.served


def _warm_then_serve(state: _Path, newest: Serve) -> None:
    try:
        warm(newest)
        usable = True
    except Exception:  # its viewers would see the error as without warming, unless a newer file replaced it
        usable = current_serve(Path(newest.path)) == newest
        LOG.exception("warming %s failed; %s", newest.path, "serving it anyway" if usable else "it was replaced")
    with _LOCK:
        if state.warming == newest and usable:
            state.served, state.warming = newest, None
        keep = (state.served, state.warming)
    release_databases(keep)  # the previous publication's database goes once its last reader closes


def wait_until_warm(path: Path | None = None, timeout: float = 60.0) -> Serve | None:
    """Block until the newest publication at this path is the one served (warming it first if nobody has seen it
    yet); return it."""
    target = (path or serve_path()).resolve()
    newest = current_serve(target)
    if served(target) != newest:
        with _LOCK:
            thread = _PATHS[str(target)].thread
        assert thread is not None  # served() started it
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"warming the new publication at {target} took over {timeout} s")
    return newest
