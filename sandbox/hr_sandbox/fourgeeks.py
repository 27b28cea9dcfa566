"""The sandbox twin of the 4Geeks (BreatheCode) API under ``/v1``, quirks included.

- Auth: ``Authorization: Token <token>`` (missing or wrong: 401) and ``Academy: <id>`` (missing or
  another academy: 403); errors are ``{"detail": str, "status_code": int}``.
- ``GET /v1/auth/academy/student``: academy students (``like`` matches e-mail or names, case
  insensitive; ``status``; ``cohort`` comma-separated slugs). A student is an academy profile: its
  ``id`` is not its user's (``user.id``, which cohort users refer to), and an invited student has
  no ``user``.
- ``GET /v1/admissions/academy/cohort``: cohorts.
- ``GET /v1/admissions/academy/cohort/user``: cohort users, teachers included (``roles``,
  ``educational_status``, ``finantial_status`` (sic), ``cohorts`` slugs, ``users`` ids; all
  comma-separated).
- Lists are paginated only when ``limit`` or ``offset`` is sent: then the body is
  ``{count, first, next, previous, last, results}`` with full URLs built from the ``Host`` header
  (null where there is no such page; commas left unescaped, as BreatheCode does); otherwise the
  whole list comes back as a bare array.
- An unknown route answers Django's HTML 404 page.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse, html_page
from hr_sandbox.revenue_data import RevenueData

DEFAULT_LIMIT = 20
"""Page size when only ``offset`` is sent (Django REST framework's ``PAGE_SIZE``; assumed)."""

Handler = Callable[[SandboxRequest], SandboxResponse]


class FourGeeksSandbox(SandboxApi):
    def __init__(
        self,
        data: RevenueData,
        token: str,
        academy_id: int,
        rate_limit_per_second: float | None = None,
    ) -> None:
        super().__init__(rate_limit_per_second)
        self._token = token
        self._academy_id = str(academy_id)
        academy = {"id": academy_id, "name": "4Geeks Academy Sandbox", "slug": "sandbox"}
        self._students = [{**student, "academy": academy} for student in data.students]
        self._cohorts = data.cohorts
        self._cohort_users = data.enrollments
        self._cohorts_of_user: dict[int, set[str]] = {}
        for row in data.enrollments:
            self._cohorts_of_user.setdefault(row["user"]["id"], set()).add(row["cohort"]["slug"])
        self._routes: dict[str, tuple[str, Handler]] = {
            "/v1/auth/academy/student": ("read_student", self._list_students),
            "/v1/admissions/academy/cohort": ("read_all_cohort", lambda request: self._list(request, self._cohorts)),
            "/v1/admissions/academy/cohort/user": ("read_all_cohort", self._list_cohort_users),
        }

    def credential(self, request: SandboxRequest) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return token.strip() or scheme or None

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"detail": message, "status_code": status}

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        route = self._routes.get(request.path) if request.method == "GET" else None
        if route is None:
            return SandboxResponse(404, html_page("Not Found", "The requested resource was not found on this server."))
        capability, handler = route
        refusal = self._refusal(request, capability)
        return refusal if refusal is not None else handler(request)

    def _refusal(self, request: SandboxRequest, capability: str) -> SandboxResponse | None:
        """401 without a valid token, 403 without this academy; None when the request may proceed."""
        authorization = request.headers.get("authorization")
        if not authorization:
            return self.error(401, "Authentication credentials were not provided.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "token" or not hmac.compare_digest(token.strip().encode(), self._token.encode()):
            return self.error(401, "Invalid token.")
        academy = request.headers.get("academy", "").strip()
        if not academy:
            return self.error(403, "Missing academy_id parameter expected for the endpoint url or 'Academy' header")
        if academy != self._academy_id:
            return self.error(403, f"You (user: 1) don't have this capability: {capability} for academy {academy}")
        return None

    def _list_students(self, request: SandboxRequest) -> SandboxResponse:
        students = self._students
        like = (request.param("like") or "").strip().lower()
        if like:
            students = [student for student in students if like in _searchable(student)]
        status = request.param("status")
        if status:
            students = [student for student in students if student["status"] == status.upper()]
        cohorts = _comma_list(request.param("cohort"))
        if cohorts:
            students = [student for student in students if self._in_cohorts(student, cohorts)]
        return self._list(request, students)

    def _in_cohorts(self, student: dict[str, Any], slugs: list[str]) -> bool:
        user = student["user"]
        return user is not None and not self._cohorts_of_user.get(user["id"], set()).isdisjoint(slugs)

    def _list_cohort_users(self, request: SandboxRequest) -> SandboxResponse:
        rows = self._cohort_users
        for name, value_of in (
            ("roles", lambda row: row["role"]),
            ("educational_status", lambda row: row["educational_status"]),
            ("finantial_status", lambda row: row["finantial_status"]),
        ):
            wanted = {value.upper() for value in _comma_list(request.param(name))}
            if wanted:
                rows = [row for row in rows if value_of(row) in wanted]
        slugs = set(_comma_list(request.param("cohorts")))
        if slugs:
            rows = [row for row in rows if row["cohort"]["slug"] in slugs]
        users = _comma_list(request.param("users"))
        if users:
            if not all(user.isdecimal() for user in users):
                return self.error(400, "users must be a comma-separated list of user ids")
            user_ids = {int(user) for user in users}
            rows = [row for row in rows if row["user"]["id"] in user_ids]
        return self._list(request, rows)

    def _list(self, request: SandboxRequest, items: list[dict[str, Any]]) -> SandboxResponse:
        """The whole list, or one page of it in BreatheCode's envelope when ``limit`` or ``offset`` is sent."""
        limit_sent, offset_sent = request.param("limit"), request.param("offset")
        if not limit_sent and not offset_sent:
            return SandboxResponse(200, items)
        limit = _positive_int(limit_sent) or DEFAULT_LIMIT
        offset = _positive_int(offset_sent) or 0
        count = len(items)
        more = offset + limit < count
        previous_offset = offset - limit if offset - limit > 0 else None
        return SandboxResponse(
            200,
            {
                "count": count,
                "first": _link(request, offset=None) if offset > 0 else None,
                "next": _link(request, limit=limit, offset=offset + limit) if more else None,
                "previous": _link(request, limit=limit, offset=previous_offset) if offset > 0 else None,
                "last": _link(request, limit=limit, offset=count - limit) if more else None,
                "results": items[offset : offset + limit],
            },
        )


def _searchable(student: dict[str, Any]) -> str:
    return f"{student['email']} {student['first_name']} {student['last_name']}".lower()


def _comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _positive_int(value: str | None) -> int | None:
    """The value as a positive integer, None when it is not one (Django REST framework then uses
    its default, it does not refuse the request)."""
    return int(value) if value and value.isdecimal() and int(value) > 0 else None


def _link(request: SandboxRequest, **params: int | None) -> str:
    """The request's own URL with ``params`` replaced (None: removed), as Django REST framework
    builds pagination links: absolute, from the ``Host`` header, parameters sorted."""
    query = dict(request.query)
    for name, value in params.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = [str(value)]
    encoded = urlencode(sorted(query.items()), doseq=True).replace("%2C", ",")
    url = f"http://{request.headers.get('host', '127.0.0.1')}{request.path}"
    return f"{url}?{encoded}" if encoded else url
