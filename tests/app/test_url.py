"""The link format on its own (pure functions, no Streamlit run): parsing, writing, meeting the data."""

from __future__ import annotations

from datetime import date

from app import data, filters

CHOICES = data.Choices(
    first_day=date(2025, 1, 1),
    last_day=date(2025, 3, 31),
    workspaces={"ws-a": "Acme (ws-a)", "ws-b": "ws-b"},
    providers=("anthropic", "openai"),
    models=("claude-3-haiku", "gpt-4o"),
    tags=(),
    last_billed_day=date(2025, 4, 30),
)


def test_a_view_survives_the_round_trip_through_its_link() -> None:
    view = data.Filters(date(2025, 2, 1), date(2025, 2, 14), "utc", ("ws-b", "ws-a"), ("openai",), ("gpt-4o",))
    link = filters.encode(view)
    assert link == {
        "from": ["2025-02-01"],
        "to": ["2025-02-14"],
        "days": ["utc"],
        "workspace": ["ws-b", "ws-a"],
        "provider": ["openai"],
        "model": ["gpt-4o"],
    }
    assert filters.resolve(filters.decode(link), CHOICES) == (view, [])


def test_no_link_means_the_last_30_days_of_usage_and_everything() -> None:
    view, notes = filters.resolve(filters.decode({}), CHOICES)
    assert view == data.Filters(date(2025, 3, 2), date(2025, 3, 31))  # 30 days, both ends included
    assert notes == []


def test_bad_parts_of_a_link_are_named_and_the_rest_is_kept() -> None:
    link = {"from": ["2025-13-01"], "to": ["2025-02-10"], "days": ["mars"], "workspace": ["ws-a", "ws-x", "ws-a"]}
    requested = filters.decode(link)
    view, notes = filters.resolve(requested, CHOICES)
    # the end the link gave, and the 30 days up to it; the known workspace once, the unknown one named
    assert view == data.Filters(date(2025, 1, 12), date(2025, 2, 10), "utc", ("ws-a",))
    assert any("2025-13-01" in note for note in notes)
    assert any("mars" in note for note in notes)
    assert any("`ws-x`" in note for note in notes)


def test_dates_are_ordered_and_kept_inside_what_can_be_picked() -> None:
    view, notes = filters.resolve(filters.decode({"from": ["2025-06-01"], "to": ["2024-01-01"]}), CHOICES)
    assert (view.start, view.end) == (date(2025, 1, 1), date(2025, 4, 30))  # up to the last billed day
    assert any("moved into the data's range" in note for note in notes)
