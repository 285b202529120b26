"""What a dbt invocation left behind, read into the figures run history keeps: run_results.json (what was built
and tested), and the raw tables' source freshness by the rules manifest.json declares (`measure_freshness`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BUILT_TYPES = ("model", "seed", "snapshot")
TEST_TYPES = ("test", "unit_test")
FAILED = ("error", "fail", "runtime error")
FRESHNESS_ORDER = ("empty", "pass", "warn", "error")


@dataclass(frozen=True)
class Invocation:
    """One dbt invocation's run_results.json."""

    path: Path
    invocation_id: str
    command: str  # args.which: build, run, test, compile, ...
    started_at: datetime
    select: tuple[str, ...]
    exclude: tuple[str, ...]
    vars: dict[str, Any]
    counts: dict[str, int]
    failing: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No node errored or failed (warnings allowed)."""
        return not self.failing

    def history_values(self) -> dict[str, Any]:
        return {**self.counts, "dbt_invocation_id": self.invocation_id}


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_invocation(path: Path) -> Invocation | None:
    """The invocation a run_results.json describes; None when there is none (or it is unreadable)."""
    try:
        document = json.loads(path.read_text())
        metadata, args, results = document["metadata"], document.get("args", {}), document["results"]
        started = _parse_time(metadata.get("invocation_started_at") or metadata["generated_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Invocation(
        path=path,
        invocation_id=str(metadata.get("invocation_id")),
        command=str(args.get("which", "unknown")),
        started_at=started,
        select=tuple(args.get("select") or ()),
        exclude=tuple(args.get("exclude") or ()),
        vars=dict(args.get("vars") or {}),
        counts=_counts(results),
        failing=[r["unique_id"] for r in results if r.get("status") in FAILED],
    )


def _counts(results: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(
        ("models_built", "models_failed", "tests_passed", "tests_failed", "tests_warned", "nodes_skipped"), 0
    )
    for result in results:
        kind, status = result["unique_id"].split(".", 1)[0], result.get("status")
        if status == "skipped":
            counts["nodes_skipped"] += 1
        elif kind in BUILT_TYPES:
            counts["models_built" if status == "success" else "models_failed"] += 1
        elif kind in TEST_TYPES:
            key = {"pass": "tests_passed", "warn": "tests_warned"}.get(str(status), "tests_failed")
            counts[key] += 1
    return counts


def failing_nodes(run_results: Path) -> list[str]:
    """Names of the nodes that errored or failed in the last dbt invocation, from run_results.json."""
    invocation = read_invocation(run_results)
    return invocation.failing if invocation else []


@dataclass(frozen=True)
class Freshness:
    """dbt source freshness: the worst status over the raw tables, and each table's result."""

    status: str
    sources: list[dict[str, Any]]

    def summary(self) -> str:
        """One line: each table's status (dbt logs an empty table as ERROR STALE; it is only empty)."""
        return ", ".join(f"raw.{s['table']} {s['status']}" for s in self.sources)

    def warnings(self) -> list[str]:
        """One line per raw table past a threshold."""
        return [
            f"raw.{source['table']} is {source['status']}: newest row ingested {source['age_hours']:.1f} h ago "
            f"(warn after {_limit(source['warn_after_hours'])}, error after {_limit(source['error_after_hours'])}); "
            "check the feed"
            for source in self.sources
            if source["status"] in ("warn", "error")
        ]


def _limit(hours: float | None) -> str:
    return "-" if hours is None else f"{hours:g} h"


def _hours(criterion: dict[str, Any] | None) -> float | None:
    if not criterion or criterion.get("count") is None:
        return None
    per = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}[criterion["period"]]
    return float(criterion["count"]) * per


def measure_freshness(con: Any, manifest: Path, now: datetime) -> Freshness | None:
    """dbt's source freshness of the raw tables, without starting dbt again (a second process, its start-up and
    parse, cost more than the queries): each source the manifest gives a loaded_at_field and a threshold (its
    freshness filter too), its newest loaded_at read on `con`, aged to `now` by dbt's rule. A table with no rows
    is 'empty', not stale. None when the manifest is missing or unreadable."""
    try:
        sources = json.loads(manifest.read_text())["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    measured = []
    for unique_id, source in sorted(sources.items()):
        rules, loaded_at = source.get("freshness") or {}, source.get("loaded_at_field")
        warn, error = _hours(rules.get("warn_after")), _hours(rules.get("error_after"))
        if not loaded_at or (warn is None and error is None):
            continue  # dbt checks only the sources with a threshold
        sql = f'select max({loaded_at}) from "{source["schema"]}"."{source["identifier"]}"'
        (newest,) = con.execute(sql + (f" where {rules['filter']}" if rules.get("filter") else "")).fetchone()
        if newest is not None and newest.tzinfo is None:  # a plain TIMESTAMP is UTC, as dbt takes it
            newest = newest.replace(tzinfo=UTC)
        measured.append(
            {
                "table": unique_id.rsplit(".", 1)[-1],
                "status": "empty" if newest is None else "pending",
                "max_loaded_at": None if newest is None else newest.isoformat(),
                "age_hours": None,
                "warn_after_hours": warn,
                "error_after_hours": error,
            }
        )
    return _aged(measured, now)


def _worst(sources: list[dict[str, Any]]) -> str:
    rank = {name: position for position, name in enumerate(FRESHNESS_ORDER)}
    statuses = [s["status"] for s in sources if s["status"] != "empty"] or [s["status"] for s in sources]
    return max(statuses, key=lambda s: rank.get(s, len(rank)), default="pass")


def aged_freshness(recorded: str | None, now: datetime) -> Freshness | None:
    """The freshness of the same raw data and thresholds as a recorded result (run_history.freshness), at `now`:
    each source's newest load is as recorded, only its age moved. None when there is no usable record (then it
    is measured)."""
    try:
        sources = [dict(source) for source in json.loads(recorded or "")]
    except (ValueError, TypeError):
        return None
    if any(
        s.get("status") not in FRESHNESS_ORDER or (s["status"] != "empty" and not s.get("max_loaded_at"))
        for s in sources
    ):
        return None
    return _aged(sources, now)


def _aged(sources: list[dict[str, Any]], now: datetime) -> Freshness:
    """Each non-empty source's age at `now` and dbt's status for it: error past error_after, else warn past
    warn_after, else pass."""
    for source in sources:
        if source["status"] == "empty":
            continue
        age = (now - _parse_time(source["max_loaded_at"])).total_seconds() / 3600
        warn, error = source.get("warn_after_hours"), source.get("error_after_hours")
        source["age_hours"] = age
        source["status"] = (
            "error" if error is not None and age > error else ("warn" if warn is not None and age > warn else "pass")
        )
    return Freshness(status=_worst(sources), sources=sources)
