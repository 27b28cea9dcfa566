"""Who may call: a live token, as a bearer token or as the password of HTTP basic (what a browser sends to the
docs page after asking once). Anything else is a 401 that says nothing of why."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request

from hr_assets.api import store


@dataclass(frozen=True)
class Caller:
    scope: str

    @property
    def sees_pay(self) -> bool:
        return self.scope == "pay"


def _presented(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() == "bearer" and value:
        return value.strip()
    if kind.lower() == "basic" and value:
        try:
            return base64.b64decode(value, validate=True).decode().partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def unauthorized(basic: bool = False) -> HTTPException:
    headers = {"WWW-Authenticate": 'Basic realm="hr-assets"' if basic else "Bearer"}
    return HTTPException(status_code=401, detail="Unauthorized", headers=headers)


def caller_of(request: Request, basic: bool = False) -> Caller:
    token = _presented(request)
    if token is None:
        raise unauthorized(basic)
    with request.app.state.engine.connect() as connection:
        scope = store.scope_of(connection, token)
    if scope is None:
        raise unauthorized(basic)
    return Caller(scope)


def needs(*scopes: str) -> Callable[[Request], Caller]:
    """A dependency admitting the callers whose token has one of ``scopes``."""

    def dependency(request: Request) -> Caller:
        caller = caller_of(request)
        if caller.scope not in scopes:
            raise HTTPException(status_code=403, detail="This token's scope does not allow this.")
        return caller

    return dependency


reader = needs("read", "operate", "pay")
operator = needs("operate")
