"""Where alerts go: the sinks and limits, from SYNAPSCALE_ALERT_* environment variables (docs/operations.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from synapscale.errors import UserError

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_LOOKBACK_HOURS = 72.0


@dataclass(frozen=True)
class AlertConfig:
    webhook_url: str | None = None
    jsonl_path: Path | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    lookback_hours: float = DEFAULT_LOOKBACK_HOURS

    @property
    def sinks(self) -> list[str]:
        """The configured sinks, in delivery order: the local file first (it cannot hang), then the webhook."""
        return [name for name, value in (("jsonl", self.jsonl_path), ("webhook", self.webhook_url)) if value]

    def describe(self, sink: str) -> str:
        """A sink as the operator may see it: the file's path, the webhook's scheme and host only (the path of
        a Slack webhook URL is its secret)."""
        if sink == "jsonl":
            return f"jsonl {self.jsonl_path}"
        parts = urlsplit(self.webhook_url or "")
        return f"webhook {parts.scheme}://{parts.netloc}/..."


def from_env(environ: Mapping[str, str] | None = None) -> AlertConfig:
    """The alert settings from SYNAPSCALE_ALERT_WEBHOOK_URL, SYNAPSCALE_ALERT_JSONL,
    SYNAPSCALE_ALERT_TIMEOUT_SECONDS and SYNAPSCALE_ALERT_LOOKBACK_HOURS (empty = unset)."""
    env = os.environ if environ is None else environ
    url = env.get("SYNAPSCALE_ALERT_WEBHOOK_URL") or None
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise UserError(f"SYNAPSCALE_ALERT_WEBHOOK_URL must be an http:// or https:// URL, not {url!r}")
    jsonl = env.get("SYNAPSCALE_ALERT_JSONL") or None
    return AlertConfig(
        webhook_url=url,
        jsonl_path=Path(jsonl).resolve() if jsonl else None,
        timeout_seconds=_positive(env, "SYNAPSCALE_ALERT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS),
        lookback_hours=_positive(env, "SYNAPSCALE_ALERT_LOOKBACK_HOURS", DEFAULT_LOOKBACK_HOURS),
    )


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name) or ""
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise UserError(f"{name} must be a number of {name.rsplit('_', 1)[-1].lower()} above 0, not {text!r}")
    return value
