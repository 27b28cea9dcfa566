"""Pushing one company's due attendance records to Bayzat, each exactly once.

The order of writes is what makes it exactly once:

1. The run takes the company's lease (``attendance_pushes.take_lease``): no other run pushes for the company
   until it is released, or has lapsed because its holder died.
2. Before a request goes out, its records are committed as ``syncing``. If the process dies after
   sending and before recording the answer, they stay ``syncing``, and the next lease holder sends
   them again: Bayzat answers that it already has what it had, which settles those punches.
3. Each answer is read punch by punch (``answers.py``), and a record is settled once every one of its punches has
   Bayzat's verdict: ``synced`` when each is stored or already there; ``failed`` with Bayzat's own reason, and no
   blind retry, when Bayzat refused one; ``failed`` with its next retry time (``retries.py``) when a punch's
   answer could not be read (the answer is kept as the reason) or Bayzat did not answer (5xx, timeout, dropped
   connection); back to ``pending`` without spending a retry when the key is refused (401), which also marks the
   configuration as needing a new key and stops the company's push.

A chunk goes until every punch has a verdict: punches a rejection does not name were not stored and go again in
the chunk; when an answer cannot be read for some punch (a message naming no record, a 409, a 200 that is not
Bayzat's success), the chunk's unsettled punches are sent one a request, each paced by the key's rate limit, so
that each answer is about one punch. A punch's verdict never stops its sibling punch from being sent.

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
from hr_assets.defs.bayzat.answers import Verdict
from hr_assets.defs.bayzat.resources import Answer, BayzatClient, BayzatResource
from hr_assets.defs.bayzat.retries import next_retry_at
from hr_assets.defs.bayzat.store import DueRecord
from hr_assets.defs.bayzat.transform import bayzat_records, chunks, punch_count
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import CompanyError
from hr_assets.lib.secrets import SecretKeyError

_CONSECUTIVE_OUTAGES_TO_STOP = 3
_LEASE_POLL_S = 0.5
_UNSETTLED = ("unsent", "unknown")  # verdicts that leave a punch to be sent again


class LeaseBusy(Exception):
    """Another run is pushing for the company; its lease did not lapse in time."""


@dataclass
class PushSummary:
    """What one company's push did. Each due record is counted once, in the fate it reached: ``due`` = ``synced`` +
    ``already_in_bayzat`` + ``rejected`` + ``retry_scheduled`` + ``retries_exhausted`` + ``not_sent`` + ``skipped``."""

    company: str
    due: int = 0
    synced: int = 0  # Bayzat stored at least one of its punches now, and has them all
    already_in_bayzat: int = 0  # Bayzat already had every one of its punches
    rejected: int = 0  # Bayzat refused a punch: failed with Bayzat's reason, not retried
    retry_scheduled: int = 0  # failed with a retry to come: Bayzat did not answer, or its answer could not be read
    retries_exhausted: int = 0  # the same, with no retry left: it waits for a person
    not_sent: int = 0  # left pending, no retry spent: the key was refused, or the push stopped after outages
    skipped: int = 0  # no punch to send
    answers_unread: int = 0  # punches whose own answer could not be read: their records are among the retries
    sent_one_by_one: int = 0  # punches sent alone: their chunk's answer did not say, or they were all it had left
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
            f"Bayzat refused {slug}'s API key: {summary.synced + summary.already_in_bayzat} records synced before "
            "that, the rest wait unsent "
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


_Punch = tuple[int, str]  # (record id, punch type): what Bayzat gives a verdict on


@dataclass
class _Chunk:
    """A request's worth of records, until Bayzat has given a verdict on every one of their punches."""

    records: list[DueRecord]
    verdicts: dict[_Punch, Verdict] = field(default_factory=dict)

    def unsettled(self) -> list[tuple[_Punch, dict[str, str]]]:
        return [
            ((record.punches.record_id, body["type"]), body)
            for record in self.records
            for body in bayzat_records(record.punches)
            if (record.punches.record_id, body["type"]) not in self.verdicts
        ]

    def take_finished(self) -> list[tuple[DueRecord, list[tuple[str, Verdict]]]]:
        """The records whose every punch has its verdict, each with them (punch type, verdict); no longer open."""
        finished, still_open = [], []
        for record in self.records:
            kinds = [body["type"] for body in bayzat_records(record.punches)]
            if all((record.punches.record_id, kind) in self.verdicts for kind in kinds):
                finished.append((record, [(kind, self.verdicts[record.punches.record_id, kind]) for kind in kinds]))
            else:
                still_open.append(record)
        self.records = still_open
        return finished


def _record_fate(punches: list[tuple[str, Verdict]]) -> tuple[str, str]:
    """A record's fate from its punches' verdicts, and the reason to keep with it: ``unknown`` when an answer about a
    punch could not be read (the record stays due), else ``refused`` when Bayzat refused one, else ``held`` when
    Bayzat had all of them already, else ``stored``. The reason is Bayzat's words, each naming the punches it is
    about unless it is about all of them."""
    fates = {verdict.fate for _, verdict in punches}
    fate = next((f for f in ("unknown", "refused") if f in fates), "held" if fates == {"held"} else "stored")
    reasons: dict[str, list[str]] = {}
    for kind, verdict in punches:
        if verdict.fate == "refused":
            reasons.setdefault(verdict.reason, []).append(kind)
        elif verdict.fate == "unknown":
            reasons.setdefault(f"answer not read, so not settled: {verdict.reason}", []).append(kind)
    if len(reasons) == 1 and len(next(iter(reasons.values()))) == len(punches):
        return fate, next(iter(reasons))
    return fate, "; ".join(f"{' and '.join(kinds)}: {reason}" for reason, kinds in reasons.items())


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
        groups = chunks([record.punches for record in due], self.bayzat.max_records_per_request)
        outages = 0
        for position, group in enumerate(groups):
            outcome = self._send_chunk([by_id[punches.record_id] for punches in group])
            outages = outages + 1 if outcome == "unavailable" else 0
            if outcome == "unauthorized":
                self.summary.key_refused = True
                self.summary.stopped = "Bayzat refused the API key: configure a new one (hr-assets bayzat configure)"
            elif outages >= _CONSECUTIVE_OUTAGES_TO_STOP:
                self.summary.stopped = (
                    f"Bayzat did not answer {outages} requests in a row; the rest waits for the next run"
                )
            if self.summary.stopped:
                self.summary.not_sent += sum(len(rest) for rest in groups[position + 1 :])
                break
        finished = self.now()
        with self.engine.begin() as connection:
            for batch_id in batches:
                store.close_batch(connection, batch_id, self.summary.stopped, finished)
            configs.record_sync(connection, self.company_id, finished)

    def _send_chunk(self, records: list[DueRecord]) -> str:
        """Send the chunk until every punch has Bayzat's verdict; returns ``done``, or why it stopped early
        (``unauthorized``, ``unavailable``).

        Punches a rejection does not name were not stored: they go again, in one request. Once an answer says
        nothing readable of some punch, the chunk's unsettled punches are asked about one a request.
        """
        chunk = _Chunk(records)
        with store.status_transaction(self.engine) as connection:
            self._renew_lease(connection)
            store.set_status(connection, [r.punches.record_id for r in records], "syncing", self.now())
        while chunk.records:
            sent = chunk.unsettled()
            if len(sent) == 1:  # its answer is about that punch, whatever it names
                return self._send_one_by_one(chunk)
            self._keep_lease()
            answer = self.client.send([body for _, body in sent])
            if answer.outcome != "answered":
                return self._stopped(chunk, answer)
            fates = [verdict.fate for verdict in answer.verdicts]
            for (punch, _), verdict in zip(sent, answer.verdicts, strict=True):
                if verdict.fate not in _UNSETTLED:
                    chunk.verdicts[punch] = verdict
            self._settle(chunk)
            if "unknown" in fates or all(fate == "unsent" for fate in fates):
                return self._send_one_by_one(chunk)
        return "done"

    def _send_one_by_one(self, chunk: _Chunk) -> str:
        """Each unsettled punch in a request of its own: an answer to one punch can only be about it. A punch whose
        own answer cannot be read gets that verdict (``unknown``, the answer kept): its record stays due."""
        for punch, body in chunk.unsettled():
            self._keep_lease()
            answer = self.client.send([body])
            self.summary.sent_one_by_one += 1
            if answer.outcome != "answered":
                return self._stopped(chunk, answer)
            verdict = answer.verdicts[0]
            if verdict.fate in _UNSETTLED:
                verdict = Verdict("unknown", verdict.reason or answer.message)
                self.summary.answers_unread += 1
            chunk.verdicts[punch] = verdict
            self._settle(chunk)
        return "done"

    def _stopped(self, chunk: _Chunk, answer: Answer) -> str:
        """Bayzat refused the key (the open records go back to pending) or did not answer (they fail for retry)."""
        if answer.outcome == "unauthorized":
            with store.status_transaction(self.engine) as connection:
                store.set_status(connection, [r.punches.record_id for r in chunk.records], "pending", self.now())
                configs.mark_needs_new_key(connection, self.company_id, self.now())
            self.summary.not_sent += len(chunk.records)
        else:
            self._fail([(record, answer.message) for record in chunk.records], retry=True)
        return answer.outcome

    def _settle(self, chunk: _Chunk) -> None:
        """Write the fate of each record of the chunk whose punches all have their verdicts."""
        by_fate: defaultdict[str, list[tuple[DueRecord, str]]] = defaultdict(list)
        for record, punches in chunk.take_finished():
            fate, reason = _record_fate(punches)
            by_fate[fate].append((record, reason))
        synced = [record.punches.record_id for record, _ in by_fate["stored"] + by_fate["held"]]
        if synced:
            with store.status_transaction(self.engine) as connection:
                store.set_status(connection, synced, "synced", self.now())
        self.summary.synced += len(by_fate["stored"])
        self.summary.already_in_bayzat += len(by_fate["held"])
        self._fail(by_fate["refused"], retry=False)
        self._fail(by_fate["unknown"], retry=True)

    def _keep_lease(self) -> None:
        if self._lease_to_renew():
            with self.engine.begin() as connection:
                self._renew_lease(connection)

    def _lease_to_renew(self) -> bool:
        """Once a third of the lease has passed: often enough to keep it, rarely enough to cost nothing."""
        return time.monotonic() - self.lease_renewed >= self.bayzat.lease_seconds / 3

    def _renew_lease(self, connection: Connection) -> None:
        if self._lease_to_renew():
            lease_seconds = self.bayzat.lease_seconds
            attendance_pushes.take_lease(connection, self.company_id, self.run_id, self.now(), lease_seconds)
            self.lease_renewed = time.monotonic()

    def _fail(self, failures: list[tuple[DueRecord, str]], retry: bool) -> None:
        """Records failed, each with its reason: refused (no retry), or to be retried on the schedule while the
        retry budget lasts."""
        if not failures:
            return
        now = self.now()
        rows = []
        for record, reason in failures:
            attempts = record.retry_count + 1
            when = next_retry_at(attempts, now, self.bayzat.max_retry_attempts) if retry else None
            rows.append((record.punches.record_id, attempts, when, reason))
            if not retry:
                self.summary.rejected += 1
            elif when is None:
                self.summary.retries_exhausted += 1
            else:
                self.summary.retry_scheduled += 1
        with store.status_transaction(self.engine) as connection:
            store.set_failed(connection, rows, now)
