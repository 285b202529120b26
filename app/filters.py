"""The sidebar every page shares: date range, workspaces and models, read from the published marts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import streamlit as st

from app import data


@st.cache_data(show_spinner=False, max_entries=16)
def _choices(path: str, version: int) -> tuple[object, list[str], list[str]]:
    del version  # only part of the cache key: a new publication invalidates the cached choices
    serve = Path(path)
    return data.date_bounds(serve), data.workspaces(serve), data.models(serve)


def sidebar(path: Path) -> data.Filters | None:
    """Draw the filters; None (with a message on the page) when nothing is published yet."""
    if not path.exists():
        st.info(f"No published data yet at `{path}`. Run `synapscale run` (or `make demo`), then reload.")
        return None
    bounds, workspace_ids, model_ids = _choices(str(path), data.publication_version(path))
    if bounds is None:
        st.info("The warehouse is published but holds no usage yet. Land files in the landing folder and run again.")
        return None
    first, last = bounds
    default_start = max(first, last - timedelta(days=29))
    with st.sidebar:
        st.header("Filters")
        picked = st.date_input("Date range (UTC)", value=(default_start, last), min_value=first, max_value=last)
        chosen_workspaces = st.multiselect("Workspaces", workspace_ids, placeholder="All workspaces")
        chosen_models = st.multiselect("Models", model_ids, placeholder="All models")
        published = data.published_at(path)
        if published is not None:
            st.caption(f"Data published {published:%Y-%m-%d %H:%M} UTC")
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (default_start, last)
    return data.Filters(start=start, end=end, workspaces=tuple(chosen_workspaces), models=tuple(chosen_models))
