"""api_tokens: each token kept as its SHA-256 only, so the table gives no one a way in. Each function works inside
the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.lib.errors import OperatorError
from hr_assets.warehouse.tables import api_tokens

Scope = Literal["read", "operate", "pay"]
SCOPES: tuple[str, ...] = get_args(Scope)
TOKEN_PREFIX = "hra_"  # noqa: S105 - not a secret: marks what a leaked string is


class TokenError(OperatorError):
    pass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(connection: Connection, name: str, scope: str, now: dt.datetime) -> str:
    """A new token (returned once, never stored) for ``name``, with ``scope``."""
    if scope not in SCOPES:
        raise TokenError(f"scope {scope!r}: use one of {', '.join(SCOPES)}")
    if not 0 < len(name) <= 100:
        raise TokenError("name: 1 to 100 characters")
    if connection.execute(sa.select(api_tokens.c.id).where(api_tokens.c.name == name)).first():
        raise TokenError(f"a token named {name!r} exists: revoke it or choose another name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    connection.execute(sa.insert(api_tokens).values(name=name, scope=scope, token_sha256=digest(token), created_at=now))
    return token


def tokens(connection: Connection) -> list[dict[str, Any]]:
    columns = [api_tokens.c[name] for name in ("name", "scope", "created_at", "last_used_at", "revoked_at")]
    return [dict(row) for row in connection.execute(sa.select(*columns).order_by(api_tokens.c.name)).mappings()]


def revoke(connection: Connection, name: str, now: dt.datetime) -> None:
    result = connection.execute(
        sa.update(api_tokens).where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    if result.rowcount == 0:
        raise TokenError(f"no live token named {name!r} (hr-assets api token list)")


def scope_of(connection: Connection, token: str) -> str | None:
    """The scope of a live token, None for any other string."""
    return connection.execute(
        sa.select(api_tokens.c.scope).where(
            api_tokens.c.token_sha256 == digest(token), api_tokens.c.revoked_at.is_(None)
        )
    ).scalar()
