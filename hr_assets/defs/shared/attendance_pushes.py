"""Where each attendance record stands with Bayzat, which the attendance import and the Bayzat push both read:
the push state of records (``bayzat_record_pushes``) and each company's push lease (``bayzat_configs``), which a
re-validation of earlier rows holds too, and the companies an import's records belong to. Every function works inside
the caller's transaction.

A record without a push row is ``pending`` when valid and ``skipped`` when not; a record a re-import found invalid
reads as ``skipped`` unless it is in Bayzat or on its way there (``synced`` or ``syncing``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import attendance_imports as imports
from hr_assets.warehouse.tables import bayzat_configs
from hr_assets.warehouse.tables import bayzat_record_pushes as pushes

STATUSES = ("pending", "syncing", "synced", "failed", "skipped")

IN_BAYZAT = ("synced", "syncing")

# A record's push status, in a query over the records joined to their pushes (``with_pushes``).
STATUS = sa.case(
    (pushes.c.status.in_(("synced", "syncing")), pushes.c.status),
    (~records.c.is_valid, "skipped"),
    else_=sa.func.coalesce(pushes.c.status, "pending"),
).label("status")


def with_pushes(*columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """A query of ``columns`` over the attendance records, each joined to its push (if it has one)."""
    return sa.select(*columns).select_from(records.outerjoin(pushes, pushes.c.record_id == records.c.id))


def in_bayzat(connection: Connection, where: sa.ColumnElement[bool]) -> dict[int, int]:
    """Company id -> how many of its records that match ``where`` are in Bayzat or on their way (``synced`` or
    ``syncing``): records whose company and employee code must not change."""
    query = (
        sa.select(records.c.company_id, sa.func.count())
        .join(pushes, pushes.c.record_id == records.c.id)
        .where(where, pushes.c.status.in_(IN_BAYZAT))
        .group_by(records.c.company_id)
    )
    return dict(connection.execute(query).tuples().all())


def forget_pushes(connection: Connection, record_ids: Collection[int]) -> None:
    """Records that changed company start afresh, as if never taken up (pending when valid, skipped when not); a
    record in Bayzat or on its way keeps its state."""
    connection.execute(
        sa.delete(pushes).where(pushes.c.record_id.in_(list(record_ids)), pushes.c.status.not_in(IN_BAYZAT))
    )


def import_company_status(connection: Connection, import_ids: Collection[int]) -> dict[int, dict[int, Counter[str]]]:
    """Import id -> company id -> status -> how many of the import's records of that company have it."""
    query = (
        with_pushes(records.c.attendance_import_id, records.c.company_id, STATUS, sa.func.count())
        .where(records.c.attendance_import_id.in_(list(import_ids)), records.c.company_id.is_not(None))
        .group_by(records.c.attendance_import_id, records.c.company_id, STATUS)
    )
    found: dict[int, dict[int, Counter[str]]] = {}
    for import_id, company_id, status, count in connection.execute(query):
        found.setdefault(import_id, {}).setdefault(company_id, Counter())[status] = count
    return found


def import_by_key(connection: Connection, partition_key: str) -> dict[str, Any] | None:
    row = connection.execute(sa.select(imports).where(imports.c.partition_key == partition_key)).mappings().first()
    return dict(row) if row else None


def companies_of_import(connection: Connection, import_id: int) -> list[int]:
    query = (
        sa.select(records.c.company_id)
        .where(records.c.attendance_import_id == import_id, records.c.company_id.is_not(None), records.c.is_valid)
        .distinct()
    )
    return sorted(connection.execute(query).scalars())


def has_config(connection: Connection, company_id: int) -> bool:
    return (
        connection.execute(
            sa.select(bayzat_configs.c.company_id).where(bayzat_configs.c.company_id == company_id)
        ).first()
        is not None
    )


def take_lease(connection: Connection, company_id: int, run_id: str, now: dt.datetime, seconds: float) -> bool:
    """Hold the company's push for ``seconds`` if no other run holds it (or its hold has lapsed).

    One conditional UPDATE, so two runs racing for it cannot both win on either database. The holder renews
    it as it sends (``take_lease`` again with its own run id) and releases it at the end.
    """
    free = sa.or_(
        bayzat_configs.c.push_lease_run_id.is_(None),
        bayzat_configs.c.push_lease_run_id == run_id,
        bayzat_configs.c.push_lease_until < now,
    )
    result = connection.execute(
        sa.update(bayzat_configs)
        .where(bayzat_configs.c.company_id == company_id, free)
        .values(push_lease_run_id=run_id, push_lease_until=now + dt.timedelta(seconds=seconds))
    )
    return result.rowcount == 1


def release_lease(connection: Connection, company_id: int, run_id: str) -> None:
    connection.execute(
        sa.update(bayzat_configs)
        .where(bayzat_configs.c.company_id == company_id, bayzat_configs.c.push_lease_run_id == run_id)
        .values(push_lease_run_id=None, push_lease_until=None)
    )
