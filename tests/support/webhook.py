"""A real HTTP server on 127.0.0.1 (in a thread of the test process) that plays a webhook receiver: it answers
each POST as scripted ('ok' = 200, a status code such as 500, or 'hang' = answer only after `hang_seconds`,
beyond the client's timeout) and keeps every request it received, with the answer it gave.

    with Receiver(["ok", 500, "hang"]) as receiver:   # then 'ok' for every request after the script
        ... post to receiver.url ...
        receiver.accepted()  # the bodies answered 200, in order
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any]
    answer: int | str  # the status code sent, or 'hang'


@dataclass
class Receiver:
    script: list[int | str] = field(default_factory=list)
    hang_seconds: float = 3.0
    requests: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    answer = receiver.script.pop(0) if receiver.script else "ok"
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    receiver.requests.append(Received(self.path, headers, body, answer))
                if answer == "hang":
                    time.sleep(receiver.hang_seconds)
                    answer = 200
                code = 200 if answer == "ok" else int(answer)
                text = b"ok" if code == 200 else b"receiver failed on purpose"
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                del format, args

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/spend"

    def accepted(self) -> list[Received]:
        """Requests answered 200 at once (not the ones that hung past the client's timeout)."""
        with self._lock:
            return [r for r in self.requests if r.answer == "ok"]

    def keys(self) -> list[str]:
        """Idempotency-Key of every request received, in order."""
        with self._lock:
            return [r.headers.get("idempotency-key", "") for r in self.requests]


def closed_port_url() -> str:
    """A loopback URL nothing listens on (connection refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/spend"
