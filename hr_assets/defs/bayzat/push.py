"""Pushing one company's due attendance records to Bayzat, each exactly once.

The order of writes is what makes it exactly once:

1. The run takes the company's lease (``attendance_pushes.take_lease``): no other run pushes for the company
   until it is released, or has lapsed because its holder died.
2. Before a request goes out, its records are committed as ``syncing``. If the process dies after
   sending and before recording the answer, they stay ``syncing``, and the next lease holder sends
   them again: Bayzat answers "already exists" for what it had, which counts as synced.
3. The answer is committed per record: ``synced``; ``failed`` with the server's message and no blind
   retry when Bayzat rejects it (400); ``failed`` with its next retry time (``retries.py``) when
   Bayzat did not answer (5xx, timeout, dropped connection); back to ``pending`` without spending a
   retry when the key is refused (401), which also marks the configuration as needing a new key and
   stops the company's push.

A 400 rejects a whole request; the records it names are settled and the rest are sent again. When its
answer cannot be matched to records (only a message, a 409 "already exists"), the chunk's punches are sent
one a request, each paced by the key's rate limit, so that each answer is about one record: a record Bayzat
already holds is never marked failed.

Many companies are pushed by one process at once (``push_companies``): each in its own thread, with its own
client, limiter, lease and status writes, so each company's key runs at its own limit and one company's failure
neither stops nor slows another.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine

from hr_assets.defs.bayzat import configs, store
from hr_assets.defs.bayzat.resources import BayzatClient, BayzatResource
from hr_assets.defs.bayzat.retries import next_retry_at
from hr_assets.defs.bayzat.store import DueRecord
from hr_assets.defs.bayzat.transform import bayzat_records, chunks, punch_count
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import CompanyError
from hr_assets.lib.secrets import SecretKeyError

_CONSECUTIVE_OUTAGES_TO_STOP = 3
_LEASE_POLL_S = 0.5


class LeaseBusy(Exception):
    """Another run is pushing for the company; its lease did not lapse in time."""


@dataclass
class PushSummary:
    company: str
    due: int = 0
    synced: int = 0
    already_in_bayzat: int = 0  # counted in synced too: found by Bayzat's "already exists"
    rejected: int = 0
    retry_scheduled: int = 0
    retries_exhausted: int = 0
    skipped: int = 0
    requests: int = 0
    throttled: int = 0
    stopped: str | None = None  # why the push ended before all due records were sent
    interrupted_batches_closed: int = 0  # open batches of runs that died, closed by this push
    key_refused: bool = False
    batches: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CompanyPush:
    """One company's part of a push of many: its summary, and why it failed when it did (one line)."""

    summary: PushSummary
    failure: str | None = None


def push_companies(
    engine: Engine,
    slugs: Sequence[str],
    bayzat: BayzatResource,
    run_id: str,
    now: Callable[[], dt.datetime],
    lease_wait_s: float | None = None,
) -> list[CompanyPush]:
    """Push every company at once, each in a thread of its own, in the order of ``slugs``.

    A company fails alone: a missing configuration, another run holding its lease, a refused key. Anything else
    is a bug and is raised, after every other company has finished its push.
    """
    bayzat.key()  # the same for every company: say it once, before any thread starts
    with ThreadPoolExecutor(max_workers=max(len(slugs), 1), thread_name_prefix="bayzat-push") as pool:
        futures = [pool.submit(_push_one, engine, slug, bayzat, run_id, now, lease_wait_s) for slug in slugs]
    return [future.result() for future in futures]


def _push_one(
    engine: Engine,
    slug: str,
    bayzat: BayzatResource,
    run_id: str,
    now: Callable[[], dt.datetime],
    lease_wait_s: float | None,
) -> CompanyPush:
    try:
        summary = push_company(engine, slug, bayzat, run_id, now, lease_wait_s)
    except (CompanyError, LeaseBusy, SecretKeyError) as exc:
        return CompanyPush(PushSummary(slug), f"{slug}: {exc}")
    if summary.key_refused:
        return CompanyPush(
            summary,
            f"Bayzat refused {slug}'s API key: {summary.synced} records synced before that, the rest wait unsent "
            f"with no retry spent; configure a new key (hr-assets bayzat configure --company {slug})",
        )
    return CompanyPush(summary)


def push_company(
    engine: Engine,
    slug: str,
    bayzat: BayzatResource,
    run_id: str,
    now: Callable[[], dt.datetime],
    lease_wait_s: float | None = None,
) -> PushSummary:
    """Send the company's due records; ``now`` is the clock (``Clock.now``) the statuses, retry times and lease
    are stamped with; ``lease_wait_s`` (default the lease length) bounds the wait for another run's push of the
    same company to end."""
    secret_key = bayzat.key()
    with engine.begin() as connection:
        account = configs.account(connection, slug, secret_key)
    if account is None:
        raise CompanyError(
            f"company {slug!r} has no Bayzat configuration (hr-assets bayzat configure --company {slug})"
        )
    summary = PushSummary(slug)
    if not account.is_enabled or account.needs_new_key:
        summary.stopped = "disabled" if not account.is_enabled else "the API key was refused: configure a new one"
        return summary
    _wait_for_lease(engine, account.company_id, run_id, bayzat.lease_seconds, lease_wait_s, now)
    try:
        with bayzat.client(account) as client:
            _Push(engine, account.company_id, client, bayzat, run_id, now, summary).run()
            summary.requests, summary.throttled = client.stats.requests, client.stats.throttled
    finally:
        with engine.begin() as connection:
            attendance_pushes.release_lease(connection, account.company_id, run_id)
    return summary


def _wait_for_lease(
    engine: Engine,
    company_id: int,
    run_id: str,
    lease_s: float,
    wait_s: float | None,
    now: Callable[[], dt.datetime],
) -> None:
    deadline = time.monotonic() + (lease_s if wait_s is None else wait_s)
    while True:
        with engine.begin() as connection:
            if attendance_pushes.take_lease(connection, company_id, run_id, now(), lease_s):
                return
        if time.monotonic() >= deadline:
            raise LeaseBusy("another run is pushing this company's records; try again when it has finished")
        time.sleep(_LEASE_POLL_S)


@dataclass
class _Push:
    engine: Engine
    company_id: int
    client: BayzatClient
    bayzat: BayzatResource
    run_id: str
    now: Callable[[], dt.datetime]
    summary: PushSummary
    lease_renewed: float = field(default_factory=time.monotonic)

    def run(self) -> None:
        started = self.now()
        with self.engine.begin() as connection:
            self.summary.interrupted_batches_closed = store.close_interrupted_batches(
                connection, self.company_id, self.run_id, started
            )
            due = store.due_records(connection, self.company_id, started)
            per_import: dict[int, list[DueRecord]] = defaultdict(list)
            for record in due:
                per_import[record.import_id].append(record)
            batches = [
                store.open_batch(connection, self.company_id, import_id, records, self.run_id, started)
                for import_id, records in sorted(per_import.items())
            ]
            empty = [r.punches.record_id for r in due if not punch_count(r.punches)]
            store.set_status(connection, empty, "skipped", started, error="no check-in or check-out to send")
        self.summary.due, self.summary.skipped, self.summary.batches = len(due), len(empty), batches
        by_id = {record.punches.record_id: record for record in due}
        outages = 0
        for chunk in chunks([record.punches for record in due], self.bayzat.max_records_per_request):
            outcome = self._send_chunk([by_id[punches.record_id] for punches in chunk])
            outages = outages + 1 if outcome == "unavailable" else 0
            if outcome == "unauthorized":
                self.summary.key_refused = True
                self.summary.stopped = "Bayzat refused the API key: configure a new one (hr-assets bayzat configure)"
                break
            if outages >= _CONSECUTIVE_OUTAGES_TO_STOP:
                self.summary.stopped = (
                    f"Bayzat did not answer {outages} requests in a row; the rest waits for the next run"
                )
                break
        finished = self.now()
        with self.engine.begin() as connection:
            for batch_id in batches:
                store.close_batch(connection, batch_id, self.summary.stopped, finished)
            configs.record_sync(connection, self.company_id, finished)

    def _send_chunk(self, chunk: list[DueRecord]) -> str:
        """Send until every record of the chunk is settled; returns the last answer's outcome.

        After a 400, the punches Bayzat said it already has are not sent again, and a record is synced once
        all its punches are in Bayzat; a record with a punch Bayzat refuses fails, with Bayzat's message.
        """
        waiting = list(chunk)
        in_bayzat: set[tuple[int, str]] = set()  # (record id, punch type) Bayzat already holds
        while waiting:
            with store.status_transaction(self.engine) as connection:
                self._renew_lease(connection)
                store.set_status(connection, [r.punches.record_id for r in waiting], "syncing", self.now())
            sent = [
                (record, body)
                for record in waiting
                for body in bayzat_records(record.punches)
                if (record.punches.record_id, body["type"]) not in in_bayzat
            ]
            answer = self.client.send([body for _, body in sent])
            if answer.outcome == "accepted":
                self._settle_synced(waiting)
                return answer.outcome
            if answer.outcome == "unauthorized":
                self._release(waiting)
                return answer.outcome
            if answer.outcome == "unavailable":
                self._settle_failed(waiting, answer.message, retry=True)
                return answer.outcome
            if answer.unmapped is not None:
                return self._send_singly(waiting, in_bayzat)
            refused: dict[int, str] = {}
            for index, rejection in answer.rejections.items():
                record, body = sent[index]
                if rejection.already_exists:
                    in_bayzat.add((record.punches.record_id, body["type"]))
                else:
                    refused.setdefault(record.punches.record_id, rejection.message)
            waiting = self._settle_rejected(waiting, refused, in_bayzat)
        return "accepted"

    def _send_singly(self, waiting: list[DueRecord], in_bayzat: set[tuple[int, str]]) -> str:
        """Each punch Bayzat may lack in a request of its own: an answer to one record can only be about it.

        The records are ``syncing`` already; each is settled as its answers come: synced once all its punches are
        in Bayzat (counted as already there when every one was), failed with Bayzat's message when it refuses
        one. Bayzat not answering fails the rest for retry; a refused key leaves them pending.
        """
        for position, record in enumerate(waiting):
            refusal, found = None, True
            for body in bayzat_records(record.punches):
                if (record.punches.record_id, body["type"]) in in_bayzat:
                    continue
                if self._lease_to_renew():
                    with self.engine.begin() as connection:
                        self._renew_lease(connection)
                answer = self.client.send([body])
                if answer.outcome == "unauthorized":
                    self._release(waiting[position:])
                    return answer.outcome
                if answer.outcome == "unavailable":
                    self._settle_failed(waiting[position:], answer.message, retry=True)
                    return answer.outcome
                rejection = answer.rejections.get(0) or answer.unmapped
                found = found and rejection is not None
                if rejection is not None and not rejection.already_exists:
                    refusal = rejection.message
                    break
            if refusal is None:
                self._settle_synced([record], already_existed=found)
            else:
                self._settle_failed([record], refusal, retry=False)
                self.summary.rejected += 1
        return "accepted"

    def _lease_to_renew(self) -> bool:
        """Once a third of the lease has passed: often enough to keep it, rarely enough to cost nothing."""
        return time.monotonic() - self.lease_renewed >= self.bayzat.lease_seconds / 3

    def _renew_lease(self, connection: Connection) -> None:
        if self._lease_to_renew():
            lease_seconds = self.bayzat.lease_seconds
            attendance_pushes.take_lease(connection, self.company_id, self.run_id, self.now(), lease_seconds)
            self.lease_renewed = time.monotonic()

    def _settle_rejected(
        self, waiting: list[DueRecord], refused: dict[int, str], in_bayzat: set[tuple[int, str]]
    ) -> list[DueRecord]:
        """Fail the refused records, settle those wholly in Bayzat as synced; the rest are to be sent again."""
        for record_id, message in refused.items():
            self._settle_failed([r for r in waiting if r.punches.record_id == record_id], message, retry=False)
        self.summary.rejected += len(refused)
        complete = [
            record
            for record in waiting
            if record.punches.record_id not in refused
            and all((record.punches.record_id, body["type"]) in in_bayzat for body in bayzat_records(record.punches))
        ]
        self._settle_synced(complete, already_existed=True)
        settled = set(refused) | {record.punches.record_id for record in complete}
        return [record for record in waiting if record.punches.record_id not in settled]

    def _settle_synced(self, settled: list[DueRecord], already_existed: bool = False) -> None:
        with store.status_transaction(self.engine) as connection:
            store.set_status(connection, [r.punches.record_id for r in settled], "synced", self.now())
        self.summary.synced += len(settled)
        if already_existed:
            self.summary.already_in_bayzat += len(settled)

    def _release(self, records: list[DueRecord]) -> None:
        with store.status_transaction(self.engine) as connection:
            store.set_status(connection, [r.punches.record_id for r in records], "pending", self.now())
            configs.mark_needs_new_key(connection, self.company_id, self.now())

    def _settle_failed(self, records: list[DueRecord], message: str, retry: bool) -> None:
        now = self.now()
        failures = []
        for record in records:
            attempts = record.retry_count + 1
            when = next_retry_at(attempts, now, self.bayzat.max_retry_attempts) if retry else None
            failures.append((record.punches.record_id, attempts, when))
            if retry:
                self.summary.retry_scheduled += when is not None
                self.summary.retries_exhausted += when is None
        with store.status_transaction(self.engine) as connection:
            store.set_failed(connection, failures, message, now)
