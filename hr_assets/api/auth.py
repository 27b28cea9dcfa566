"""Who may call: a live token, as a bearer token or as the password of HTTP basic (what a browser sends to the
docs page after asking once). Anything else is a 401 that says nothing of why; a token whose scope does not allow
the call is a 403.

The OpenAPI schema says so: the ``bearer`` scheme (``HTTPBearer``, through ``needs``) on every operation, and the
answers ``UNAUTHORIZED`` (each router's) and ``FORBIDDEN`` (each operation a scope may not call) with their body,
``Refusal``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from hr_assets.api import store

bearer = HTTPBearer(
    scheme_name="bearer",
    description="A token made by `hr-assets api token create`, sent as `Authorization: Bearer <token>`.",
    auto_error=False,  # caller_of answers: a 401 that says nothing of why
)


class Refusal(BaseModel):
    """Why a call was refused, in as few words as the answer may say."""

    detail: str


UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": Refusal, "description": "No token, or one that is wrong or revoked"}
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": Refusal, "description": "The token's scope does not allow this call"}
}


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


def needs(*scopes: str) -> Callable[..., Caller]:
    """A dependency admitting the callers whose token has one of ``scopes``."""

    def dependency(request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> Caller:
        caller = caller_of(request)
        if caller.scope not in scopes:
            raise HTTPException(status_code=403, detail="This token's scope does not allow this.")
        return caller

    return dependency


reader = needs("read", "operate", "pay")
operator = needs("operate")
payer = needs("pay")
