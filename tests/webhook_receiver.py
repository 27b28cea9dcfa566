"""A Slack-like incoming webhook on 127.0.0.1 that records what it is sent, and its fixture ``webhook``."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET_PATH = "/services/T0000/B0000/webhook-secret-path"  # a real webhook's path is its credential


@dataclass
class WebhookReceiver:
    """Records each POST (path, JSON body) and answers ``status`` with ``answer``, as Slack does; the statuses in
    ``first_statuses``, if any, answer the first posts (one each, in order)."""

    url: str = ""
    posts: list[tuple[str, dict]] = field(default_factory=list)
    status: int = 200
    answer: str = "ok"
    first_statuses: list[int] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [body["text"] for _, body in self.posts]

    def wait_for(self, *beginnings: str, timeout_s: float = 180) -> None:
        """Until, for each of ``beginnings``, a message starting with it has arrived."""
        deadline = time.monotonic() + timeout_s
        while missing := [start for start in beginnings if not any(t.startswith(start) for t in self.texts())]:
            assert time.monotonic() < deadline, f"no notification {missing} in {timeout_s}s; got {self.texts()}"
            time.sleep(1)


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.posts.append((self.path, json.loads(body)))
            self.send_response(receiver.first_statuses.pop(0) if receiver.first_statuses else receiver.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(receiver.answer.encode())

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}{SECRET_PATH}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver
