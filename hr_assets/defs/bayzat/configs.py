"""Each company's Bayzat account (its API key encrypted at rest; its push lease, which lets one run at a time
push for it, is in ``shared/attendance_pushes.py``). Every function works inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.lib.secrets import decrypt, encrypt, masked
from hr_assets.warehouse.engine import upsert
from hr_assets.warehouse.tables import bayzat_configs, companies

SyncFrequency = Literal["manual", "hourly", "daily"]
SYNC_FREQUENCIES: tuple[str, ...] = get_args(SyncFrequency)


@dataclass(frozen=True)
class BayzatAccount:
    """What a push needs for one company. ``repr`` never shows the key."""

    company_id: int
    slug: str
    timezone: str
    api_url: str
    api_key: str
    is_enabled: bool
    needs_new_key: bool
    sync_frequency: str

    def __repr__(self) -> str:
        return f"BayzatAccount(slug={self.slug!r}, api_url={self.api_url!r}, api_key={masked(self.api_key)!r})"


def save_config(
    connection: Connection,
    *,
    company_id: int,
    api_key: str,
    api_url: str,
    is_enabled: bool,
    sync_frequency: str,
    now: dt.datetime,
    secret_key: str,
) -> None:
    """Create or replace a company's configuration, its key encrypted with ``secret_key`` (HR_SECRET_KEY);
    a new key clears the "needs a new key" mark."""
    if sync_frequency not in SYNC_FREQUENCIES:
        raise ValueError(f"sync frequency {sync_frequency!r}: use one of {', '.join(SYNC_FREQUENCIES)}")
    row = {
        "company_id": company_id,
        "api_key_encrypted": encrypt(api_key, secret_key),
        "api_url": api_url,
        "is_enabled": is_enabled,
        "sync_frequency": sync_frequency,
        "needs_new_key": False,
        "created_at": now,
        "updated_at": now,
    }
    upsert(connection, bayzat_configs, [row], ["company_id"], keep_on_conflict=["created_at"])


def _accounts_query() -> sa.Select[Any]:
    return sa.select(
        companies.c.id.label("company_id"),
        companies.c.slug,
        companies.c.timezone,
        bayzat_configs.c.api_url,
        bayzat_configs.c.api_key_encrypted,
        bayzat_configs.c.is_enabled,
        bayzat_configs.c.needs_new_key,
        bayzat_configs.c.sync_frequency,
        bayzat_configs.c.last_sync_at,
    ).join(bayzat_configs, bayzat_configs.c.company_id == companies.c.id)


def account(connection: Connection, slug: str, secret_key: str) -> BayzatAccount | None:
    """The company's account with its key decrypted, None when it has no Bayzat configuration."""
    row = connection.execute(_accounts_query().where(companies.c.slug == slug)).mappings().first()
    if row is None:
        return None
    return BayzatAccount(
        company_id=row["company_id"],
        slug=row["slug"],
        timezone=row["timezone"],
        api_url=row["api_url"],
        api_key=decrypt(row["api_key_encrypted"], secret_key),
        is_enabled=row["is_enabled"],
        needs_new_key=row["needs_new_key"],
        sync_frequency=row["sync_frequency"],
    )


def slugs_with_ids(connection: Connection, frequencies: tuple[str, ...] = SYNC_FREQUENCIES) -> list[tuple[str, int]]:
    """(slug, company id) of the companies whose pushes may run: enabled, with a working key, at one of
    ``frequencies``."""
    query = (
        _accounts_query()
        .where(bayzat_configs.c.is_enabled, ~bayzat_configs.c.needs_new_key)
        .where(bayzat_configs.c.sync_frequency.in_(frequencies))
        .order_by(companies.c.slug)
    )
    return [(row["slug"], row["company_id"]) for row in connection.execute(query).mappings()]


def scheduled(connection: Connection) -> list[tuple[str, int, str, str]]:
    """(slug, company id, sync frequency, company's timezone) of the companies the schedule pushes: enabled, with a
    working key, hourly or daily."""
    query = (
        _accounts_query()
        .where(bayzat_configs.c.is_enabled, ~bayzat_configs.c.needs_new_key)
        .where(bayzat_configs.c.sync_frequency.in_(("hourly", "daily")))
        .order_by(companies.c.slug)
    )
    return [
        (row["slug"], row["company_id"], row["sync_frequency"], row["timezone"])
        for row in connection.execute(query).mappings()
    ]


def overview(connection: Connection, secret_key: str) -> list[dict[str, Any]]:
    """Every configuration for display: the key masked, never in clear."""
    rows = connection.execute(_accounts_query().order_by(companies.c.slug)).mappings()
    return [
        {key: value for key, value in row.items() if key != "api_key_encrypted"}
        | {"api_key": masked(decrypt(row["api_key_encrypted"], secret_key))}
        for row in rows
    ]


def change_settings(
    connection: Connection,
    company_id: int,
    now: dt.datetime,
    *,
    sync_frequency: str | None = None,
    is_enabled: bool | None = None,
) -> tuple[dict[str, object], dict[str, object]]:
    """Change how often the company is pushed, or turn it on or off, keeping its key; returns the old and new
    values of what changed."""
    if sync_frequency is not None and sync_frequency not in SYNC_FREQUENCIES:
        raise ValueError(f"sync frequency {sync_frequency!r}: use one of {', '.join(SYNC_FREQUENCIES)}")
    current = (
        connection.execute(
            sa.select(bayzat_configs.c.sync_frequency, bayzat_configs.c.is_enabled).where(
                bayzat_configs.c.company_id == company_id
            )
        )
        .mappings()
        .one()
    )
    wanted = {"sync_frequency": sync_frequency, "is_enabled": is_enabled}
    new: dict[str, object] = {
        name: value for name, value in wanted.items() if value is not None and value != current[name]
    }
    if new:
        connection.execute(
            sa.update(bayzat_configs).where(bayzat_configs.c.company_id == company_id).values(**new, updated_at=now)
        )
    return {name: current[name] for name in new}, new


def last_pushes(connection: Connection) -> list[dict[str, object]]:
    """Company id and when its last push ended, for every configured company."""
    query = sa.select(bayzat_configs.c.company_id, bayzat_configs.c.last_sync_at)
    return [dict(row) for row in connection.execute(query).mappings()]


def mark_needs_new_key(connection: Connection, company_id: int, now: dt.datetime) -> None:
    connection.execute(
        sa.update(bayzat_configs)
        .where(bayzat_configs.c.company_id == company_id)
        .values(needs_new_key=True, updated_at=now)
    )


def record_sync(connection: Connection, company_id: int, now: dt.datetime) -> None:
    connection.execute(
        sa.update(bayzat_configs).where(bayzat_configs.c.company_id == company_id).values(last_sync_at=now)
    )
