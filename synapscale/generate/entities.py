"""Workspaces (Zipf-like sizes, plans and budgets, timezones, growth, start day, decline) and their users."""

from __future__ import annotations

import numpy as np
import polars as pl

from synapscale.generate.catalog import NAME_PARTS, NAME_SUFFIXES, PLAN_BUDGETS, PLANS, TIMEZONES
from synapscale.generate.config import GeneratorConfig
from synapscale.generate.draws import ids

# Columns of the workspace frame that drive the usage draws and are not part of the snapshot file.
HIDDEN_WORKSPACE_COLUMNS = ("_weight", "_growth", "_start", "_decline", "_utc_offset")


def workspaces(rng: np.random.Generator, config: GeneratorConfig) -> pl.DataFrame:
    count = config.workspaces
    ranks = rng.permutation(count) + 1
    weight = 1.0 / ranks**1.15  # Zipf-like sizes
    size_rank = np.argsort(np.argsort(-weight)) / count  # 0 = largest workspace
    plan_index = np.searchsorted(np.array([0.1, 0.3, 0.6]), size_rank, side="right")
    tz_index = rng.integers(0, len(TIMEZONES), count)
    tz_index[: min(count, 2)] = 0  # the two first workspaces are in São Paulo
    start_offset = np.where(rng.random(count) < 0.25, rng.integers(0, max(1, config.days // 2), count), 0)
    names = [f"{NAME_PARTS[i % len(NAME_PARTS)]} {NAME_SUFFIXES[(i * 7) % len(NAME_SUFFIXES)]}" for i in range(count)]
    created = np.datetime64(config.first_day.isoformat(), "us") + (
        (start_offset.astype(np.int64) * 86_400 - rng.integers(86_400, 400 * 86_400, count)) * 1_000_000
    ).astype("timedelta64[us]")
    return pl.DataFrame(
        {
            "workspace_id": [f"ws_{i + 1:04d}" for i in range(count)],
            "name": names,
            "plan": np.array(PLANS)[plan_index],
            "monthly_budget_usd": pl.Series(np.array(PLAN_BUDGETS)[plan_index].astype(str)).cast(pl.Decimal(18, 2)),
            "timezone": np.array([tz for tz, _ in TIMEZONES])[tz_index],
            "created_at": pl.Series(created).dt.replace_time_zone("UTC"),
            "_weight": weight,
            "_growth": rng.normal(0.004, 0.004, count),  # per day
            "_start": start_offset,
            "_decline": rng.random(count) < 0.12,  # a few workspaces fade out (churn signal)
            "_utc_offset": np.array([offset for _, offset in TIMEZONES])[tz_index],
        }
    )


def users(rng: np.random.Generator, config: GeneratorConfig, workspaces: pl.DataFrame) -> pl.DataFrame:
    weight = workspaces["_weight"].to_numpy() ** 0.7
    extra = rng.multinomial(config.users - config.workspaces, weight / weight.sum())
    per_workspace = extra + 1
    workspace_of_user = np.repeat(np.arange(config.workspaces), per_workspace)
    created = workspaces["created_at"].to_numpy()[workspace_of_user] + (
        rng.integers(0, 200 * 86_400, config.users) * 1_000_000
    ).astype("timedelta64[us]")
    first = (
        "Ana",
        "Bruno",
        "Chen",
        "Divya",
        "Emma",
        "Felipe",
        "Grace",
        "Hiro",
        "Ines",
        "Jonas",
        "Kofi",
        "Lena",
    )
    last = ("Silva", "Smith", "Müller", "Tanaka", "Costa", "Okafor", "Novak", "Singh", "Rossi", "Kim")
    index = np.arange(config.users)
    return pl.DataFrame(
        {
            "user_id": ids("usr_", index + 1, 5),
            "workspace_id": workspaces["workspace_id"].gather(workspace_of_user),
            "display_name": pl.Series(
                np.char.add(
                    np.char.add(np.array(first)[index % len(first)], " "),
                    np.array(last)[(index * 7) % len(last)],
                )
            ),
            "created_at": pl.Series(created).dt.replace_time_zone("UTC"),
        }
    )
