"""The two sinks. Each `send` delivers one alert or raises DeliveryFailed saying why.

- JSONL: one line per alert appended to a file that is never rewritten: a single write() on an O_APPEND
  descriptor, then fsync (and the folder's fsync when the file is new). `delivered_ids` reads the ids already
  in the file, which is how a delivery interrupted between the append and its record is recognised.
- Webhook: an HTTP POST of the Slack-compatible JSON body with `Idempotency-Key: <alert_id>` (and
  `X-SynapScale-Alert-Id`), a timeout on connecting and on each read; a 2xx answer is delivered.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synapscale.alerts import payload
from synapscale.pipeline.publish import fsync

USER_AGENT = "synapscale-alerts/1"


class DeliveryFailed(Exception):
    """One delivery failed. `sink_down`: the sink itself is unavailable (connection refused, timeout, HTTP 5xx
    or 429), so the rest of this pass skips it; otherwise (HTTP 4xx) only this alert failed."""

    def __init__(self, reason: str, sink_down: bool) -> None:
        super().__init__(reason)
        self.sink_down = sink_down


@dataclass(frozen=True)
class JsonlSink:
    path: Path
    name: str = "jsonl"

    def send(self, alert: dict[str, Any]) -> None:
        line = (payload.encode(alert) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if not created and not _ends_with_newline(self.path):
                    line = b"\n" + line  # a line torn by a crash (power cut) stays alone, unparseable
                os.write(descriptor, line)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            if created:
                fsync(self.path.parent)
        except OSError as error:
            raise DeliveryFailed(f"cannot append to {self.path} ({error.strerror or error})", sink_down=True) from None

    def delivered_ids(self) -> set[str]:
        """alert_id of every whole line in the file (torn or foreign lines are skipped)."""
        found: set[str] = set()
        try:
            with self.path.open("rb") as handle:
                for raw in handle:
                    try:
                        found.add(str(json.loads(raw)["alert_id"]))
                    except (ValueError, KeyError, TypeError):
                        continue
        except FileNotFoundError:
            pass
        return found


@dataclass(frozen=True)
class WebhookSink:
    url: str
    timeout_seconds: float
    name: str = "webhook"

    def send(self, alert: dict[str, Any]) -> None:
        body = json.dumps(payload.webhook_body(alert), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "Idempotency-Key": alert["alert_id"],
                "X-SynapScale-Alert-Id": alert["alert_id"],
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                response.read(65536)
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode(errors="replace").strip()
            down = error.code >= 500 or error.code == 429
            raise DeliveryFailed(f"HTTP {error.code} {error.reason}{': ' + detail if detail else ''}", down) from None
        except TimeoutError:
            raise DeliveryFailed(f"no answer within {self.timeout_seconds:g}s (timeout)", sink_down=True) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise DeliveryFailed(f"no answer within {self.timeout_seconds:g}s (timeout)", True) from None
            raise DeliveryFailed(f"cannot connect ({reason})", sink_down=True) from None
        except (OSError, ValueError, http.client.HTTPException) as error:  # a reset connection, a bad answer
            raise DeliveryFailed(f"{type(error).__name__}: {error}", sink_down=True) from None


Sink = JsonlSink | WebhookSink


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return True
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
