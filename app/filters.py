"""The filters every page shares, and their home in the URL query string.

A view is a link: `?from=2025-03-02&to=2025-03-31&days=utc&workspace=ws_1&workspace=ws_2&provider=openai&model=gpt-4o`
(lists are repeated keys; an absent list means all). Opening a link restores every filter; changing a filter
rewrites the link. The URL is read once, when a session opens; from then on the widgets (their Session State)
are the truth and the URL follows them, so moving between pages keeps the filters even where the browser drops
the query string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import streamlit as st

from app import data

DEFAULT_DAYS = 30
LIST_PARAMS = {"workspace": "workspaces", "provider": "providers", "model": "models", "tag": "tags"}
SHARED_PARAMS = ("from", "to", "days", *LIST_PARAMS)
OPENING_URL = "filters.opening_url"  # the query string the session was opened with
KEY = {name: f"filter.{name}" for name in ("range", "days", *LIST_PARAMS.values())}


# --- the URL, as pure functions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Requested:
    """What a URL asks for, before it meets the data (unparseable parts are listed in `problems`)."""

    start: date | None = None
    end: date | None = None
    day_boundary: str | None = None
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def decode(params: Mapping[str, Sequence[str]]) -> Requested:
    """Parse query parameters ({name: [values]}) into a request; bad values are reported, not fatal."""
    problems: list[str] = []

    def day(name: str) -> date | None:
        values = params.get(name) or []
        if not values:
            return None
        try:
            return date.fromisoformat(values[-1])
        except ValueError:
            problems.append(f"`{name}={values[-1]}` is not a date (YYYY-MM-DD)")
            return None

    boundary = (params.get("days") or [None])[-1]
    if boundary is not None and boundary not in data.DAY_BOUNDARIES:
        problems.append(f"`days={boundary}` is not one of {', '.join(data.DAY_BOUNDARIES)}")
        boundary = None
    lists = {field_name: tuple(dict.fromkeys(params.get(param) or ())) for param, field_name in LIST_PARAMS.items()}
    start, end = day("from"), day("to")
    if start and end and start > end:
        start, end = end, start
    return Requested(start, end, boundary, lists, tuple(problems))


def encode(filters: data.Filters) -> dict[str, list[str]]:
    """The query parameters of a view (every filter, so a shared link pins the exact range)."""
    params = {"from": [filters.start.isoformat()], "to": [filters.end.isoformat()], "days": [filters.day_boundary]}
    for param, field_name in LIST_PARAMS.items():
        values = getattr(filters, field_name)
        if values:
            params[param] = list(values)
    return params


def default_range(first: date, last: date) -> tuple[date, date]:
    """The last 30 days of data (fewer when there are fewer)."""
    return max(first, last - timedelta(days=DEFAULT_DAYS - 1)), last


def resolve(requested: Requested, choices: data.Choices) -> tuple[data.Filters, list[str]]:
    """Meet a request with the data: clamp dates into the data's range, drop values the data does not have."""
    assert choices.first_day is not None and choices.last_day is not None and choices.end_day is not None
    notes = list(requested.problems)
    first, last = choices.first_day, choices.end_day
    default_start, default_end = default_range(first, choices.last_day)
    start = min(max(requested.start or default_start, first), last)
    end = min(max(requested.end or default_end, first), last)
    if start > end:  # only one end was given, before (or after) the default window: 30 days from that end
        window = timedelta(days=DEFAULT_DAYS - 1)
        start, end = (start, min(start + window, last)) if requested.start else (max(first, end - window), end)
    if (requested.start and requested.start != start) or (requested.end and requested.end != end):
        notes.append(f"the link's dates were moved into the data's range ({first} to {last})")
    available = {
        "workspaces": choices.workspaces,
        "providers": choices.providers,
        "models": choices.models,
        "tags": choices.tags,
    }
    kept: dict[str, tuple[str, ...]] = {}
    for field_name, values in requested.lists.items():
        kept[field_name] = tuple(v for v in values if v in available[field_name])
        missing = [v for v in values if v not in available[field_name]]
        if missing:
            notes.append(f"no {field_name[:-1]} {', '.join(f'`{v}`' for v in missing)} in the data")
    if len(kept.get("tags", ())) > 1:  # one tag at a time: a call with two tags would count twice
        notes.append(f"one tag at a time; showing `{kept['tags'][0]}`")
        kept["tags"] = kept["tags"][:1]
    filters = data.Filters(start, end, requested.day_boundary or "utc", **kept)
    return filters, notes


def query_dict() -> dict[str, list[str]]:
    """The current query string as {name: [values]}."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def sync_url(wanted: Mapping[str, list[str]], page_params: Sequence[str] = ()) -> None:
    """Make the URL say `wanted` (plus the current page's own parameters); untouched when it already does."""
    current = query_dict()
    desired = {name: values for name, values in current.items() if name in page_params}
    desired.update({name: values for name, values in wanted.items() if values})
    if desired != current:
        st.query_params.from_dict(desired)


# --- the sidebar --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Picked:
    """The sidebar's outcome: the filters (None when there is no usage to filter) and notes about the link."""

    filters: data.Filters | None
    choices: data.Choices | None
    notes: tuple[str, ...] = ()


def sidebar(serve: data.Serve, page_params: Sequence[str] = ()) -> Picked:
    """Draw the shared filters in the sidebar and keep the URL in step with them."""
    state = st.session_state
    local_available = data.has_day_boundary(serve, "local")
    notes: list[str] = []
    if KEY["days"] not in state:  # a new session (or the filters were not drawn last run): start from the URL
        requested = decode(query_dict())
        if requested.day_boundary == "local" and not local_available:
            notes.append("each workspace's own days are not published yet (marts.cost_daily_local); showing UTC days")
            requested = Requested(requested.start, requested.end, "utc", requested.lists, requested.problems)
        boundary_choices = data.choices(serve, requested.day_boundary or "utc")
        if boundary_choices.first_day is None:
            return Picked(None, None, tuple(notes))
        filters, link_notes = resolve(requested, boundary_choices)
        notes.extend(link_notes)
        _remember(filters)
    if state[KEY["days"]] == "local" and not local_available:
        state[KEY["days"]] = "utc"
    choices = data.choices(serve, state[KEY["days"]])
    if choices.first_day is None:
        return Picked(None, None, tuple(notes))
    _keep_valid(choices)
    filters = _draw(choices, local_available)
    sync_url(encode(filters), page_params)
    return Picked(filters, choices, tuple(notes))


def _remember(filters: data.Filters) -> None:
    state = st.session_state
    state[KEY["range"]] = (filters.start, filters.end)
    state[KEY["days"]] = filters.day_boundary
    for field_name in LIST_PARAMS.values():
        state[KEY[field_name]] = list(getattr(filters, field_name))


def _keep_valid(choices: data.Choices) -> None:
    """Keep the remembered values inside what this publication offers (a new publish can change it)."""
    state = st.session_state
    assert choices.first_day is not None and choices.last_day is not None and choices.end_day is not None
    picked = tuple(state.get(KEY["range"]) or default_range(choices.first_day, choices.last_day))
    clamp = lambda day: min(max(day, choices.first_day), choices.end_day)  # noqa: E731
    state[KEY["range"]] = tuple(clamp(day) for day in picked)
    options = {"workspaces": choices.workspaces, "providers": choices.providers, "models": choices.models}
    options["tags"] = choices.tags
    for field_name, available in options.items():
        state[KEY[field_name]] = [value for value in state.get(KEY[field_name], []) if value in available]


def _draw(choices: data.Choices, local_available: bool) -> data.Filters:
    with st.sidebar:
        st.header("Filters")
        picked = st.date_input(
            "Dates",
            key=KEY["range"],
            min_value=choices.first_day,
            max_value=choices.end_day,
            format="YYYY-MM-DD",
            help="Inclusive. Opens on the last 30 days of data.",
        )
        st.radio(
            "Day boundary",
            options=list(data.DAY_BOUNDARIES),
            format_func=lambda name: data.DAY_BOUNDARIES[name].label,
            key=KEY["days"],
            disabled=not local_available,
            help="Where one day ends: at midnight UTC, or at midnight in each workspace's own time zone."
            + ("" if local_available else " Local days appear once the warehouse publishes marts.cost_daily_local."),
        )
        lists = {
            "workspaces": st.multiselect(
                "Workspaces",
                list(choices.workspaces),
                format_func=choices.workspaces.__getitem__,
                key=KEY["workspaces"],
                placeholder="All workspaces",
            ),
            "providers": st.multiselect(
                "Providers", choices.providers, key=KEY["providers"], placeholder="All providers"
            ),
            "models": st.multiselect("Models", choices.models, key=KEY["models"], placeholder="All models"),
        }
        if choices.tags:
            lists["tags"] = st.multiselect(
                "Tag",
                choices.tags,
                key=KEY["tags"],
                max_selections=1,
                placeholder="All calls, tagged or not",
                help="Only the calls carrying this tag (UTC days). One at a time: a call can carry several tags.",
            )
        st.caption("This page's address holds every filter: copy it to share this exact view.")
    start, end = (picked[0], picked[-1]) if picked else (choices.first_day, choices.last_day)
    return data.Filters(start, end, st.session_state[KEY["days"]], **{k: tuple(v) for k, v in lists.items()})


def page_choice(param: str, label: str, options: Mapping[str, str], default: str, *, menu: bool = False) -> str:
    """A page's own single choice (Cost explorer's group-by, the invoice shown), kept in the URL as `param` beside
    the shared filters: opened from the link, then remembered for the session across page switches.
    options: value -> label; a segmented control, or a select box when `menu`."""
    key = f"page.{param}"
    state = st.session_state
    if state.get(key) not in options:
        from_url = st.query_params.get(param)
        state[key] = from_url if from_url in options else default
    if menu:
        value = st.selectbox(label, list(options), format_func=options.__getitem__, key=key, persist_state="session")
    else:
        value = st.segmented_control(
            label, list(options), format_func=options.__getitem__, key=key, required=True, persist_state="session"
        )
    if st.query_params.get(param) != value:
        st.query_params[param] = value
    return value
