"""The one HTTP layer every vendor client (Holded, 4Geeks, Notion, Bayzat) uses.

- Pacing: every attempt, retries included, first takes a slot from a limiter shared by all clients
  of the same API key in this process, so we throttle before a vendor's limit instead of only
  backing off after it. A client made with ``shared_through`` (a warehouse URL, as every vendor resource makes
  them) takes the key's slots from the warehouse, so the key's budget holds across runs, processes and hosts
  (``RateLimiter`` says how, and why not Dagster's concurrency pools).
- Retries: 429, 5xx, timeouts and dropped connections are retried with exponential backoff and
  jitter. ``Retry-After`` is honoured, and a ``Retry-After`` of 0 (or nonsense) never becomes an
  instant retry loop. Each retry is logged as a warning, and running out of attempts raises the
  distinct ``ApiRetriesExhausted``. A client made with ``retry_unavailable=False`` (Bayzat, whose
  records are retried on their own schedule) retries only 429 and raises ``ApiUnavailable`` for the rest.
- Errors: other answers raise ``ApiError`` at once, carrying the server's own message.
- Secrets: header values (API keys, tokens) are never logged, and are masked in any server or
  transport message before it reaches a log line or an exception. A client made with ``secret_paths=True``
  (an incoming webhook, whose path is its credential) logs its request paths as ``[redacted]``, in its own
  retry lines and in httpx's request lines alike.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn, cast

import dagster as dg
import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from hr_assets.lib.errors import OperatorError
from hr_assets.warehouse.budgets import SharedBudget, budget_id

log = dg.get_dagster_logger("http")

NOT_JSON = "answered with HTML/non-JSON instead of JSON"
_RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_MESSAGE_FIELDS = ("detail", "info", "message", "error")
_MESSAGE_LIMIT = 200
_MIN_SECRET_LENGTH = 8  # shorter header values (an academy id, "1") are not credentials, and masking them garbles text
_REDACTED = "[redacted]"
JITTER_ALLOWANCE = 0.05
"""How much closer than an interval two requests may arrive because the first left late: a vendor's limiter
already sees arrivals wobble that much, as any network makes them."""
CLAIM_AHEAD_S = 0.1
"""How much of a key's budget a process claims from the warehouse at once (at least one slot)."""
WINDOW_S = 10.0
"""The span a vendor counts a key's requests over: at most the limit's worth in any ``WINDOW_S`` seconds, as the
vendor's clock sees them arrive (``bench/shared_limits.py`` measures the same)."""
LATE_S = 0.025
"""How late past its slot on a key's shared grid a request may still leave (half an interval when that is less).
Later, the slot is given up and the next one taken: sent that late, it would follow another process's request on its
own slot too closely."""
PACING_MARGIN = 2 * LATE_S / WINDOW_S
"""How much slower than the limit the slots are spaced: 0.5 %.

On a grid exactly at the limit a window holds exactly the limit's worth (40 requests in 10 s at 4 a second), so a
request that reached the vendor a little after its slot, with the one ``WINDOW_S`` later on time, made one too many
(41 in 10 s, measured): anything that moves one request later than its neighbours (a sleeper woken late, a claim's
answer, a connection, the kernel) does it, and no limiter can make arrivals exact. Spaced 0.5 % wider, any
``WINDOW_S`` holds the limit's worth even when one request in it is ``2 * LATE_S`` later than the rest: ``LATE_S``
for the limiter's own lateness, which it enforces, and as much again for the request's way from the limiter to the
vendor, which it cannot see. A sliding window over the times requests were sent would need each send written back to
the warehouse, and still not see the way to the vendor; the margin costs 0.5 % of the rate and nothing else."""
_sending_secret_path = threading.local()  # set while a ``secret_paths`` client sends, for _HideSecretPaths


class _HideSecretPaths(logging.Filter):
    """httpx logs every request's URL (INFO, logger ``httpx``); a ``secret_paths`` client's has its path masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_sending_secret_path, "on", False) and isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(path=f"/{_REDACTED}", query=None) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HideSecretPaths())


class ApiError(OperatorError):
    """A vendor API failed; str() is one line naming the API, the status and the server's message.

    ``body`` is the answer's JSON, else its text (credentials masked either way), for a caller that reads a
    vendor's error details (Bayzat names the records it rejected); it is never part of the message.
    """

    def __init__(self, api: str, status: int | None, message: str, body: Any = None) -> None:
        self.api = api
        self.status = status
        self.message = message
        self.body = body
        super().__init__(_collapse(self._describe()))

    def _describe(self) -> str:
        if self.status is None:
            return f"{self.api}: {self.message}"
        return f"{self.api} answered {self.status}: {self.message}"

    def __reduce__(self) -> tuple[type[ApiError], tuple[str, int | None, str, Any]]:
        """Rebuilt from its fields, so the error survives pickling (multiprocess executors)."""
        return type(self), (self.api, self.status, self.message, self.body)


class ApiRetriesExhausted(ApiError):
    """Every attempt failed with a retryable outcome (throttled, 5xx, timeout, dropped connection)."""

    def _describe(self) -> str:
        return f"{self.api}: {self.message}"


class ApiUnavailable(ApiError):
    """A 5xx, a timeout or a dropped connection from a client that leaves those to its caller
    (``retry_unavailable=False``: Bayzat's records are retried on their own schedule, hours apart)."""


class RateLimiter:
    """Slots on an even grid, one per ``1 / per_second`` seconds: the average rate is the limit itself, and idle
    time earns no burst.

    The grid is ``PACING_MARGIN`` wider than the limit's interval, so that no ``WINDOW_S`` holds more than the limit
    allows as the vendor sees requests arrive, each a little later than its slot by a different amount.

    A request that left late (a busy machine, a connection to open first) is followed no sooner than
    ``1 - JITTER_ALLOWANCE`` of an interval after it really left (``sent``). So the vendor never sees two
    requests closer than that, and a request a little late does not push every later slot back: on a busy
    machine sleepers wake a millisecond or so late, which would cost 2% of a 20-a-second budget.

    With ``shared`` (the key's row in the warehouse, ``hr_assets/warehouse/budgets.py``) the grid is the key's,
    across every run, process and host using the warehouse: the limiter claims its slots there, in one short
    transaction for the next ``CLAIM_AHEAD_S`` of them (one slot below 20 a second, two from 20), and hands them to
    this process's clients of the key. A claim costs a tenth to a third of a millisecond of CPU and a few round
    trips, spent while waiting for the slot it claims, so a single run still paces at the full rate; two runs get
    alternate slots, together the key's rate. A claimed slot this process fell behind by more than ``LATE_S`` (or
    half an interval) is dropped, never sent late next to another process's, so the margin covers what lateness is
    left.

    Why not Dagster's concurrency pools (a pool per vendor in the instance's ``concurrency:`` settings): a pool
    limits how many steps run at once, not how many requests a second they send. A pool of one would make a
    run wait for another's whole step though the key's budget allows both to share it, could not tell Bayzat's
    per-company keys apart, and would not cover commands and the API, which call vendors outside runs.
    """

    def __init__(self, per_second: float, shared: SharedBudget | None = None) -> None:
        self._per_second = _positive(per_second)
        self._next_slot = -math.inf  # without ``shared``, the next slot; with it, the earliest the next may be
        self._shared = shared
        self._claimed: deque[float] = deque()  # the shared slots claimed and not yet taken, on time.monotonic()
        self._lock = threading.Lock()

    @property
    def _interval(self) -> float:
        """The grid's spacing: the limit's interval, ``PACING_MARGIN`` wider."""
        return (1 + PACING_MARGIN) / self._per_second

    @property
    def _lateness_allowed(self) -> float:
        return min(LATE_S, self._interval / 2)

    def acquire(self) -> float:
        """Blocks until the next slot; returns the seconds waited.

        The slot is reserved under the lock and slept for outside it, so concurrent callers queue up
        one interval apart without holding each other up.
        """
        if self._shared is not None:
            return self._acquire_shared()
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        waited = slot - now
        if waited > 0:
            time.sleep(waited)
        return waited

    def _acquire_shared(self) -> float:
        """``acquire`` on the key's shared grid. A slot this process would take more than ``LATE_S`` late
        (its sleep overslept, or the last request left so late that ``sent`` holds this one back) is given up for
        the next: sent that late, it would follow another process's request too closely."""
        started = time.monotonic()
        while True:
            with self._lock:
                claimed = self._claimed_slot(time.monotonic())
                slot = max(claimed, self._next_slot)
            latest = claimed + self._lateness_allowed
            if slot > latest:
                continue
            if (waiting := slot - time.monotonic()) > 0:  # the clock read after the claim, which took its time
                time.sleep(waiting)
            if (now := time.monotonic()) <= latest:
                return now - started

    def _claimed_slot(self, now: float) -> float:
        """The next of the slots claimed in the warehouse, claiming more when none is left; under the lock."""
        shared = cast(SharedBudget, self._shared)
        while self._claimed and self._claimed[0] < now - self._lateness_allowed:
            self._claimed.popleft()  # fallen behind: that slot is lost, not sent late next to another process's
        if not self._claimed:
            count = max(1, int(CLAIM_AHEAD_S * self._per_second))
            first = shared.claim(count * self._interval)
            self._claimed.extend(first + index * self._interval for index in range(count))
        return self._claimed.popleft()

    def sent(self, at: float) -> None:
        """A request's last byte went out at ``at`` (monotonic): the next slot is no sooner than
        ``1 - JITTER_ALLOWANCE`` of an interval after it."""
        with self._lock:
            self._next_slot = max(self._next_slot, at + self._interval * (1 - JITTER_ALLOWANCE))

    def _tighten(self, per_second: float) -> None:
        with self._lock:
            self._per_second = min(self._per_second, _positive(per_second))


def _positive(per_second: float) -> float:
    if not per_second > 0:
        raise ValueError(f"per_second must be positive, got {per_second}")
    return per_second


_limiters: dict[tuple[str, str | None], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _forget_limiters() -> None:
    """In a forked child: the parent's limiters (and the slots they claimed) are not the child's to use."""
    global _limiters_lock
    _limiters.clear()
    _limiters_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_limiters)


def shared_rate_limiter(api: str, key: str, per_second: float, shared_through: str | None = None) -> RateLimiter:
    """Process-wide limiter per (api, key): every client of one API key in this process shares it, and with
    ``shared_through`` (a warehouse URL) every process and host using that warehouse.

    The key is hashed (sha256) before being used as a dict key, so no secret is kept in the registry or the
    warehouse. When clients of one key ask for different rates, the slowest wins: the budget belongs to the key.
    """
    budget = budget_id(api, key)
    with _limiters_lock:
        limiter = _limiters.get((budget, shared_through))
        if limiter is None:
            shared = SharedBudget(shared_through, api, budget) if shared_through else None
            limiter = _limiters[budget, shared_through] = RateLimiter(per_second, shared)
        else:
            limiter._tighten(per_second)
    return limiter


@dataclass
class ClientStats:
    """What one client did, for benchmarks and run metadata; counted without a lock, so exact when one thread
    uses the client."""

    requests: int = 0  # attempts sent, retries included
    throttled: int = 0  # 429 answers
    retries: int = 0
    waited_s: float = 0.0  # time spent waiting on the rate limiter (not on backoff)


class _RetryableOutcome(Exception):
    """An attempt that may succeed if repeated, carried through tenacity to the wait, log and give-up steps."""

    def __init__(self, status: int | None, what: str, last: str, retry_after_s: float | None = None) -> None:
        super().__init__(what)
        self.status = status
        self.what = what  # for the retry log line: "answered 429 (throttled)"
        self.last = last  # for the give-up message: "last answer 503: Service Unavailable"
        self.retry_after_s = retry_after_s  # None when the server did not send Retry-After

    @property
    def server_asked_to_wait(self) -> bool:
        return self.status == 429 or self.retry_after_s is not None


class ApiClient:
    """A paced, retrying JSON client for one vendor API; ``path`` arguments are relative to ``base_url``."""

    def __init__(
        self,
        api: str,
        base_url: str,
        *,
        headers: Mapping[str, str],
        rate_limit_per_second: float,
        limiter_key: str | None = None,
        shared_through: str | None = None,
        timeout_s: float = 30.0,
        max_attempts: int = 6,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 60.0,
        retry_after_floor_s: float = 0.5,
        retry_unavailable: bool = True,
        secret_paths: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api = api
        self._secret_paths = secret_paths
        self._retry_unavailable = retry_unavailable
        self.stats = ClientStats()
        self._limiter = shared_rate_limiter(api, limiter_key or base_url, rate_limit_per_second, shared_through)
        self._max_attempts = max_attempts
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_initial_s, max=backoff_max_s, jitter=backoff_initial_s
        )
        self._backoff_max_s = backoff_max_s
        self._retry_after_floor_s = retry_after_floor_s
        self._secrets = _secret_fragments(headers)
        self._http = httpx.Client(
            base_url=base_url, headers=dict(headers), timeout=httpx.Timeout(timeout_s), transport=transport
        )

    def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> httpx.Response:
        """Sends the request, paced and retried; returns the 2xx response or raises ``ApiError``."""
        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts) | self._server_wait_too_long,  # type: ignore[operator]  # tenacity types | for stop_base only; stop_any calls any callable
            wait=self._wait,
            retry=retry_if_exception_type(_RetryableOutcome),
            before_sleep=lambda state: self._note_retry(method, path, state),
            retry_error_callback=self._give_up,
        )
        return retrying(self._attempt, method, self._checked_url(path), params, json)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._json(self.request("GET", path, params=params))

    def post_json(self, path: str, json: Any) -> Any:
        return self._json(self.request("POST", path, json=json))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _checked_url(self, path: str) -> str:
        """``path`` as given: httpx joins a relative one under the base URL's prefix, with or without a leading
        slash. An absolute URL (a "next page" link) is accepted only under the base URL, so the headers
        (API keys) never travel to another host."""
        url = httpx.URL(path)
        if not url.is_relative_url and not str(url).startswith(str(self._http.base_url)):
            raise ValueError(f"{self.api}: {url} is not under the client's base URL {self._http.base_url}")
        return path

    def _attempt(self, method: str, url: str, params: Mapping[str, Any] | None, json: Any) -> httpx.Response:
        self.stats.waited_s += self._limiter.acquire()
        self.stats.requests += 1
        _sending_secret_path.on = self._secret_paths
        try:
            response = self._http.request(
                method, url, params=params, json=json, extensions={"trace": self._pace_after_sending()}
            )
        except _RETRYABLE_TRANSPORT_ERRORS as exc:
            name = type(exc).__name__
            detail = self._redact(f"{name}: {exc}" if str(exc) else name)
            if not self._retry_unavailable:
                raise ApiUnavailable(self.api, None, f"did not answer ({detail})") from None
            raise _RetryableOutcome(None, f"did not answer ({name})", f"last attempt failed with {detail}") from exc
        except httpx.TransportError as exc:  # our own mistake (bad scheme, illegal header): repeating cannot help
            raise ApiError(self.api, None, self._redact(f"{type(exc).__name__}: {exc}")) from None
        finally:
            _sending_secret_path.on = False
        return self._checked(response)

    def _pace_after_sending(self) -> Callable[[str, Mapping[str, Any]], None]:
        """httpcore's trace of one request: once its body has gone out (or failed to), the limiter learns when."""

        def trace(event: str, _info: Mapping[str, Any]) -> None:
            if event.endswith((".send_request_body.complete", ".send_request_body.failed")):
                self._limiter.sent(time.monotonic())

        return trace

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        status = response.status_code
        message = self._redact(_server_message(response))
        if status == 429:
            self.stats.throttled += 1
        if response.is_server_error and not self._retry_unavailable:
            raise ApiUnavailable(self.api, status, message)
        if status == 429 or response.is_server_error:
            reason = "throttled" if status == 429 else response.reason_phrase
            raise _RetryableOutcome(
                status,
                f"answered {status} ({reason})",
                f"last answer {status}: {message}",
                _retry_after_seconds(response.headers.get("Retry-After")),
            )
        raise ApiError(self.api, status, message, self.body_of(response))

    def _wait(self, state: RetryCallState) -> float:
        """The backoff, and when the server asked us to wait, at least its Retry-After and at least the floor."""
        backoff = self._backoff(state)
        outcome = _outcome(state)
        if not outcome.server_asked_to_wait:
            return backoff
        return max(backoff, self._retry_after_floor_s, outcome.retry_after_s or 0.0)

    def _server_wait_too_long(self, state: RetryCallState) -> bool:
        """A Retry-After beyond ``backoff_max_s`` (a quota reset hours away) ends the retries instead of
        stalling the run."""
        retry_after_s = _outcome(state).retry_after_s
        return retry_after_s is not None and retry_after_s > self._backoff_max_s

    def _note_retry(self, method: str, path: str, state: RetryCallState) -> None:
        self.stats.retries += 1
        log.warning(
            "%s %s; waiting %.1fs before attempt %d of %d (%s %s)",
            self.api,
            _outcome(state).what,
            state.upcoming_sleep,
            state.attempt_number + 1,
            self._max_attempts,
            method,
            _REDACTED if self._secret_paths else self._redact(httpx.URL(path).path),
        )

    def _give_up(self, state: RetryCallState) -> NoReturn:
        outcome = _outcome(state)
        attempts = state.attempt_number
        message = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}; {outcome.last}"
        if self._server_wait_too_long(state):
            message += f"; the server asked to wait {outcome.retry_after_s:.0f}s, over backoff_max_s"
        raise ApiRetriesExhausted(self.api, outcome.status, message)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:  # Holded answers unknown routes with a 200 HTML page
            raise ApiError(self.api, response.status_code, NOT_JSON) from None

    def body_of(self, response: httpx.Response) -> Any:
        """The answer's JSON, else its text, with every credential masked: what a caller may read and keep."""
        text = self._redact(response.text)
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return text


def _outcome(state: RetryCallState) -> _RetryableOutcome:
    """The failed attempt's outcome; tenacity only asks to wait, stop, log or give up after a retryable one."""
    return cast(_RetryableOutcome, state.outcome.exception() if state.outcome else None)


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds the server asked us to wait (integer, float or HTTP-date); None when it did not say.

    Unparseable or infinite values become 0.0, which the caller raises to the floor: never an instant retry.
    """
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value)
    return seconds if math.isfinite(seconds) else 0.0


def _seconds_until(http_date: str) -> float:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # The vendor's date is on the real wall clock, so it is compared with the real one, not the platform's clock.
    return (when - datetime.now(UTC)).total_seconds()  # noqa: TID251


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _server_message(response: httpx.Response) -> str:
    """The server's own words: a JSON error field when present, else the start of the body, else the reason."""
    body = _json_or_none(response)
    if isinstance(body, dict):
        for field in _MESSAGE_FIELDS:
            if body.get(field):
                return _collapse(str(body[field]))[:_MESSAGE_LIMIT]
    return _collapse(response.text)[:_MESSAGE_LIMIT] or response.reason_phrase


def _secret_fragments(headers: Mapping[str, str]) -> tuple[str, ...]:
    """Header values, and their words (the token in ``Token abc...``), long enough to be credentials; longest
    first, so a whole value is masked before its parts."""
    fragments = {
        part for value in headers.values() for part in (value, *value.split()) if len(part) >= _MIN_SECRET_LENGTH
    }
    return tuple(sorted(fragments, key=len, reverse=True))


def _collapse(text: str) -> str:
    return " ".join(text.split())
