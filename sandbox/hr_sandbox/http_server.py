"""A loopback HTTP server for the sandbox twins of the vendors' REST APIs, and what they share.

A vendor twin subclasses ``SandboxApi``: it answers requests in ``handle`` and says which header
carries the credential in ``credential``. The base class adds, once for every vendor:

- a request log (``requests``), where a credential appears only as a short hash (``key_id``);
- an optional rate limit per credential: above it the answer is 429 with ``Retry-After: 1``;
- fault injection (``inject``): the next matching requests fail as real networks and APIs do.

``SandboxHttpServer`` serves one ``SandboxApi`` on 127.0.0.1 (or another address) with the standard library's
``ThreadingHTTPServer``. Every response closes its connection (HTTP/1.0), so each request has its
own connection and thread, and after ``stop()`` nothing is answered any more. A request's arrival, which
the rate limit judges, is when the kernel received it (``SO_TIMESTAMPNS`` on Linux), as a vendor's edge
sees it: not when one of the server's threads got round to it, tens of milliseconds later on a busy machine.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import logging
import socket
import socketserver
import struct
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self, get_args
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

FaultKind = Literal["500", "429", "timeout", "drop", "html"]

TIMEOUT_FAULT_SECONDS = 5.0
"""How long a ``"timeout"`` fault holds the answer: far beyond a client's 1 s timeout."""

_KEY_ID_LENGTH = 12
_WINDOW_SECONDS = 1.0
_JITTER_TOLERANCE = 0.1
_SCHEDULING_SLACK_SECONDS = 0.01
_POLL_SECONDS = 0.05
_KERNEL_STAMPS = sys.platform == "linux"
_SO_TIMESTAMPNS = 35  # Linux's; Python's socket module does not name it
_TIMESPEC = struct.Struct("@qq")  # struct timespec: seconds, nanoseconds


def key_id(credential: str) -> str:
    """A short, stable name for a credential, safe to log: a prefix of its SHA-256."""
    return hashlib.sha256(credential.encode()).hexdigest()[:_KEY_ID_LENGTH]


def most_in_window(times: Iterable[float], window: float) -> int:
    """The most of ``times`` in any half-open window ``[t, t + window)``: what a vendor counting a key's requests
    over that window saw at its busiest. One window starting at each time is enough."""
    ordered, most, end = sorted(times), 0, 0
    for start, at in enumerate(ordered):
        while end < len(ordered) and ordered[end] < at + window:
            end += 1
        most = max(most, end - start)
    return most


def html_page(title: str, message: str) -> str:
    """A small HTML page, as web servers send instead of JSON when something is off."""
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )


class Headers(Mapping[str, str]):
    """Request headers, looked up case-insensitively (a repeated header keeps its last value)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items = {name.lower(): value for name, value in items}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class SandboxRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    arrived: float = field(default_factory=time.monotonic)  # on the monotonic clock

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, None when it was not sent."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class SandboxResponse:
    """An answer: a dict or list body is sent as JSON, a str as HTML, bytes as they are."""

    status: int
    body: bytes | str | dict[str, Any] | list[Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it; ``status`` is 0 when the connection was dropped unanswered."""

    at: float
    method: str
    path: str
    status: int
    key_id: str


@dataclass(frozen=True)
class Reply:
    """What the HTTP server does with a request: answer ``response`` (None: close the connection
    without answering) after waiting ``delay`` seconds."""

    response: SandboxResponse | None
    delay: float = 0.0


@dataclass(frozen=True)
class _Fault:
    kind: FaultKind
    path_prefix: str
    params: tuple[tuple[str, str], ...] = ()  # query parameters a request must carry, with these values

    def matches(self, request: SandboxRequest) -> bool:
        return request.path.startswith(self.path_prefix) and all(
            request.param(name) == value for name, value in self.params
        )


class _RateLimiter:
    """Admits a credential's requests at up to ``per_second``, judged on arrival times.

    Two checks, both tolerant of ~10% jitter so that a client pacing itself exactly at the limit is
    never refused, while one at twice the limit is: an admitted request's nearest admitted neighbours
    must have arrived at least 90% of ``1 / per_second`` less 10 ms away (a busy client sends a few
    milliseconds early or late), and a sliding 1 s window holds at most ``per_second`` admitted requests
    plus 10% plus one (a window can catch both ends of a paced run). Refused requests do not count, so a
    client that backs off gets in again. Threads may judge requests in another order than they arrived,
    hence neighbours on both sides.
    """

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("the rate limit must be positive")
        self._min_gap = max(0.0, (1 - _JITTER_TOLERANCE) / per_second - _SCHEDULING_SLACK_SECONDS)
        self._window_max = int(per_second * (1 + _JITTER_TOLERANCE)) + 1
        self._admitted: defaultdict[str, list[float]] = defaultdict(list)  # sorted arrival times

    def admit(self, key: str, arrived: float) -> bool:
        admitted = self._admitted[key]
        # Kept a window longer than a window needs: a request judged late may have arrived before later ones.
        forgotten = bisect.bisect_right(admitted, arrived - 2 * _WINDOW_SECONDS)
        del admitted[:forgotten]
        position = bisect.bisect_right(admitted, arrived)
        if position > 0 and arrived - admitted[position - 1] < self._min_gap:
            return False
        if position < len(admitted) and admitted[position] - arrived < self._min_gap:
            return False
        if position - bisect.bisect_right(admitted, arrived - _WINDOW_SECONDS) >= self._window_max:
            return False
        admitted.insert(position, arrived)
        return True


class SandboxApi:
    """The base of the vendor twins: request log, rate limit and fault injection around ``handle``.

    ``requests``, ``throttled`` (how many requests the rate limit refused) and ``held_back`` (how many a
    ``"timeout"`` fault handled and then held the answer of) are for tests to read.
    """

    def __init__(self, rate_limit_per_second: float | None = None) -> None:
        self.rate_limit_per_second = rate_limit_per_second
        self.requests: list[LoggedRequest] = []
        self.throttled = 0
        self.held_back = 0
        self._limiter = _RateLimiter(rate_limit_per_second) if rate_limit_per_second is not None else None
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """The vendor's answer to a request that was neither throttled nor faulted."""
        raise NotImplementedError

    def credential(self, request: SandboxRequest) -> str | None:
        """The credential a request carries, if any: the unit of rate limiting and of the log.
        Vendors override this; by default every request counts as anonymous."""
        return None

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        """An error body in the vendor's shape; vendors override this."""
        return {"status": status, "message": message}

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        return SandboxResponse(status, self.error_body(status, message), headers or {})

    def inject(
        self, kind: FaultKind, times: int = 1, path_prefix: str = "", params: Mapping[str, str] | None = None
    ) -> None:
        """Make the next ``times`` requests whose path starts with ``path_prefix`` (and, with ``params``, whose query
        carries those parameters with those values: one month's listing, say) fail with ``kind``.

        ``"500"``: HTTP 500; ``"429"``: HTTP 429 with ``Retry-After: 0`` (a client must not turn it
        into an instant retry loop); ``"timeout"``: the answer comes only after
        ``TIMEOUT_FAULT_SECONDS``; ``"drop"``: the connection is closed without an answer;
        ``"html"``: HTTP 200 with an HTML error page instead of JSON. Faults are used in the order
        they were injected.
        """
        if kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.extend(_Fault(kind, path_prefix, tuple((params or {}).items())) for _ in range(times))

    def serve(self, request: SandboxRequest) -> Reply:
        """Answer a request: an injected fault first, then the rate limit, then ``handle``.

        A ``"timeout"`` fault only delays the answer, which is otherwise the normal one.
        """
        arrived = request.arrived
        credential = self.credential(request)
        key = key_id(credential) if credential else ""
        fault = self._take_fault(request)
        if fault is not None and fault.kind != "timeout":
            reply = self._fault_reply(fault.kind)
        elif not self._admit(key, arrived):
            reply = Reply(self.error(429, "rate limited", {"Retry-After": "1"}))
        else:
            reply = Reply(self.handle(request), TIMEOUT_FAULT_SECONDS if fault is not None else 0.0)
        status = reply.response.status if reply.response is not None else 0
        with self._lock:
            self.requests.append(LoggedRequest(arrived, request.method, request.path, status, key))
            self.held_back += reply.delay > 0
        return reply

    def _take_fault(self, request: SandboxRequest) -> _Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(request):
                    return self._faults.pop(index)
        return None

    def _admit(self, key: str, now: float) -> bool:
        if self._limiter is None:
            return True
        with self._lock:
            if self._limiter.admit(key, now):
                return True
            self.throttled += 1
            return False

    def _fault_reply(self, kind: FaultKind) -> Reply:
        if kind == "500":
            return Reply(self.error(500, "Internal Server Error"))
        if kind == "429":
            return Reply(self.error(429, "rate limited", {"Retry-After": "0"}))
        if kind == "html":
            return Reply(SandboxResponse(200, html_page("Service Unavailable", "Please try again in a few minutes.")))
        return Reply(None)  # "drop"


class SandboxHttpServer:
    """Serves ``app`` on ``host`` (127.0.0.1 unless told), as a context manager or with ``start()`` / ``stop()``.

    ``port=0`` binds an ephemeral port; ``.url`` (``http://<host>:<port>``) tells which once started. ``host`` is
    where clients reach it too: another address of this machine (a container bridge's) serves clients beyond it.
    """

    def __init__(self, app: SandboxApi, port: int = 0, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the HTTP server has not been started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Bind and serve in a background (daemon) thread."""
        self._stopping.clear()
        self._httpd = _Server((self.host, self._requested_port), self.app, self._stopping)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"sandbox-http-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("Sandbox %s serving on %s", type(self.app).__name__, self.url)
        return self

    def stop(self) -> None:
        """Stop accepting, close the port and cut short any answer held back by a timeout fault."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog, as a vendor's load balancer has one: with socketserver's 5, a hundred clients whose
    # requests fall due in the same millisecond (one a second for each of a hundred keys) get connections reset.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], app: SandboxApi, stopping: threading.Event) -> None:
        self.app = app
        self.stopping = stopping
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS lookup of the address, which can take seconds."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
        if _KERNEL_STAMPS:  # on the listening socket, so a request is stamped even before its connection is accepted
            self.socket.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)

    def handle_error(self, request: object, client_address: object) -> None:
        logger.exception("Sandbox HTTP request from %s failed", client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # Nagle's algorithm would hold back the body behind the headers until the client's delayed ACK.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain reader; the stamped one below reads the same socket
        self._reader = _StampedSocketReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no access log on stderr (``requests`` on the app is the log)."""

    def _dispatch(self) -> None:
        reply = self.server.app.serve(self._read_request())
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        if reply.response is None or self.server.stopping.is_set():
            self.close_connection = True
            return
        try:
            self._send(reply.response)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("Sandbox HTTP client went away before the answer")

    def _read_request(self) -> SandboxRequest:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return SandboxRequest(
            method=self.command,
            path=unquote(url.path),
            query=parse_qs(url.query, keep_blank_values=True),
            headers=Headers(self.headers.items()),
            body=body,
            arrived=self._reader.arrived,  # now that the whole request is read
        )

    def _send(self, response: SandboxResponse) -> None:
        body, content_type = _encode(response.body)
        self.send_response(response.status)
        for name, value in {"Content-Type": content_type, **response.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _StampedSocketReader(io.RawIOBase):
    """A connection's bytes, with ``arrived``: when the kernel received the last bytes read, on the monotonic
    clock. Read after a whole request, it is when the request's last byte reached the server. (The accepted
    connection inherits ``SO_TIMESTAMPNS`` from the listening socket; elsewhere than Linux, ``arrived`` is
    when the bytes were read.)"""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self.arrived = time.monotonic()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not _KERNEL_STAMPS:
            count = self._connection.recv_into(buffer)
            self.arrived = time.monotonic()
            return count
        count, ancillary, _flags, _address = self._connection.recvmsg_into([buffer], socket.CMSG_SPACE(_TIMESPEC.size))
        self.arrived = _kernel_arrival(ancillary)
        return count


def _kernel_arrival(ancillary: list[tuple[int, int, bytes]]) -> float:
    """The kernel's receive stamp (wall clock) moved onto the monotonic clock; now when there is none (end of
    the stream)."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS:
            seconds, nanoseconds = _TIMESPEC.unpack(data)
            age = time.time() - (seconds + nanoseconds / 1e9)
            return time.monotonic() - max(age, 0.0)
    return time.monotonic()


def _encode(body: bytes | str | dict[str, Any] | list[Any]) -> tuple[bytes, str]:
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/html; charset=utf-8"
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), "application/json"
