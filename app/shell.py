"""What every page shares: the view (publication + filters) the entry point resolved, and the page header with
"Data as of" and the staleness warning."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st

from app import data

CONTEXT = "shell.context"
STALE_ENV = "SYNAPSCALE_STALE_AFTER_MINUTES"
DEFAULT_STALE_MINUTES = 120  # two scheduled runs at the README's 15-minute cadence would be 30; 2 h means trouble


@dataclass(frozen=True)
class Context:
    """What the entry point resolved for this run: the serve file (None: nothing published) and the filters
    (None: the warehouse holds no usage), with notes about the link that opened the session."""

    serve: data.Serve | None
    filters: data.Filters | None = None
    choices: data.Choices | None = None
    notes: tuple[str, ...] = ()


def set_context(view: Context) -> None:
    st.session_state[CONTEXT] = view


def stale_after() -> timedelta:
    """The age beyond which the data counts as stale: $SYNAPSCALE_STALE_AFTER_MINUTES, default 120 minutes."""
    raw = os.environ.get(STALE_ENV, "")
    try:
        minutes = float(raw) if raw else DEFAULT_STALE_MINUTES
    except ValueError:
        minutes = DEFAULT_STALE_MINUTES
    return timedelta(minutes=max(minutes, 0))


def age_text(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def freshness(publication: data.Publication, now: datetime | None = None) -> tuple[str, str | None]:
    """("Data as of ..." caption, staleness warning or None)."""
    if publication.published_at is None:
        return "Data as of: unknown (this serve file carries no meta.publication)", None
    published = publication.published_at.astimezone(UTC)
    age = (now or datetime.now(UTC)) - published
    caption = f"Data as of {published:%Y-%m-%d %H:%M} UTC ({age_text(age)} ago)"
    if age <= stale_after():
        return caption, None
    warning = (
        f"The data is stale: the last publication was {age_text(age)} ago, more than "
        f"{age_text(stale_after())}. Check that the scheduled `synapscale run` is still running (warehouse/run.log)."
    )
    return caption, warning


def page(title: str, intro: str, applies: str = "", ignores: Sequence[str] = ()) -> Context | None:
    """Draw the page header; return the view when there is usage to show (else draw why not and return None).
    With `applies`, also the page's scope note (`scope_note`)."""
    view: Context = st.session_state.get(CONTEXT) or Context(None)
    st.title(title)
    st.caption(intro)
    if view.serve is None:
        st.info(
            f"No published data yet at `{data.serve_path()}`. Run `synapscale run` (or `make demo`), then reload.",
            icon=":material/hourglass_empty:",
        )
        return None
    caption, warning = freshness(data.publication(view.serve))
    st.caption(caption)
    if warning:
        st.warning(warning, icon=":material/schedule:")
    for note in view.notes:
        st.warning(f"From the link: {note}.", icon=":material/link:")
    if view.filters is None:
        st.info(
            "The warehouse is published but holds no usage yet. Land files in the landing folder and run "
            "`synapscale run` again.",
            icon=":material/inbox:",
        )
        return None
    if applies:
        scope_note(view, applies, ignores)
    return view


# The shared filters a page's marts may lack, as a sentence names them; the sets pages ignore most often.
WORKSPACES_ONLY = ("providers", "models", "tags")
NO_TAGS = ("tags",)
FILTER_NAMES = {"workspaces": "workspaces", "providers": "providers", "models": "models", "tags": "tag"}


def scope_note(view: Context, applies: str, ignores: Sequence[str], utc: bool = True) -> None:
    """Say which shared filters this page's marts can honour, and plainly which of the ones chosen they cannot
    (`ignores`: names of Filters fields; the figures then cover every value of them), and that its days are UTC."""
    assert view.filters is not None
    st.caption(f"Filters that apply here: {applies}.")
    chosen = [FILTER_NAMES[name] for name in ignores if getattr(view.filters, name)]
    if chosen:
        st.info(
            f"Not applied on this page: the {' and '.join(chosen)} filter{'s' if len(chosen) > 1 else ''} "
            "(its marts have no such column); the figures cover all of them.",
            icon=":material/filter_alt_off:",
        )
    if utc and view.filters.day_boundary == "local":
        st.info(
            "This page's marts count UTC days: the day boundary filter applies to Overview and Cost explorer only.",
            icon=":material/schedule:",
        )
