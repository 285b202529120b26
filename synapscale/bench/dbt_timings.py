"""Where a dbt build's time went, from its run_results.json: seconds per node, summed per resource type
(model, test, unit test, seed), and the nodes that took longest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

KINDS = ("model", "test", "unit_test", "seed", "snapshot")


@dataclass(frozen=True)
class NodeTiming:
    unique_id: str
    kind: str
    seconds: float
    status: str

    @property
    def name(self) -> str:
        """The node's name without the resource type and project (a test's hash suffix dropped)."""
        parts = self.unique_id.split(".")
        return ".".join(parts[2:3] if self.kind == "test" else parts[2:])


@dataclass(frozen=True)
class BuildTimings:
    elapsed_seconds: float  # dbt's own figure for the whole invocation
    nodes: tuple[NodeTiming, ...]

    def seconds_by_kind(self) -> dict[str, float]:
        totals = {kind: 0.0 for kind in KINDS}
        for node in self.nodes:
            totals[node.kind] = totals.get(node.kind, 0.0) + node.seconds
        return {kind: seconds for kind, seconds in totals.items() if seconds or kind in ("model", "test")}

    def count_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for node in self.nodes:
            counts[node.kind] = counts.get(node.kind, 0) + 1
        return counts

    def slowest(self, kind: str, count: int = 8) -> list[NodeTiming]:
        return sorted((n for n in self.nodes if n.kind == kind), key=lambda n: -n.seconds)[:count]

    def as_json(self) -> dict[str, object]:
        return {
            "elapsed_seconds": self.elapsed_seconds,
            "nodes": [[n.unique_id, n.kind, round(n.seconds, 3), n.status] for n in self.nodes],
        }


def read(run_results: Path) -> BuildTimings:
    document = json.loads(run_results.read_text(encoding="utf-8"))
    nodes = tuple(
        NodeTiming(r["unique_id"], r["unique_id"].split(".", 1)[0], float(r.get("execution_time") or 0.0), r["status"])
        for r in document["results"]
    )
    return BuildTimings(float(document.get("elapsed_time") or 0.0), nodes)
