"""4Geeks (BreatheCode), the CRM: academy students and their cohort enrolments.

Lists are paginated only when ``limit`` or ``offset`` is sent; we always send them and read pages
until ``next`` is null, so a large academy never arrives as one unbounded answer.
"""

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from pydantic import Field, PositiveFloat, PositiveInt

from hr_assets.lib.api_resource import ApiResource
from hr_assets.lib.http import ApiClient, ApiError
from hr_assets.lib.integration import required

API = "4Geeks"
USERS_PER_REQUEST = 50  # enrolments are asked for in batches of students, keeping URLs short


class FourGeeksResource(ApiResource):
    """4Geeks (BreatheCode), one academy (``FOURGEEKS_*``)."""

    integration = API
    env_prefix = "FOURGEEKS_"

    api_token: str | None = required("The API token.", secret=True)
    academy_id: PositiveInt | None = required("The academy's number.")
    base_url: str = "https://breathecode.herokuapp.com/v1"
    rate_limit_per_second: PositiveFloat = 5.0
    page_size: PositiveInt = Field(100, description="Students or enrolments asked for a page.")

    def _api(self) -> AbstractContextManager[ApiClient]:
        token, academy_id = self.setting(self.api_token), self.setting(self.academy_id)
        return self._client({"Authorization": f"Token {token}", "Academy": str(academy_id)}, token)

    def students(self) -> list[dict[str, Any]]:
        with self._api() as api:
            return self._all_pages(api, "auth/academy/student", {})

    def enrollments(self, user_ids: Iterable[int]) -> list[dict[str, Any]]:
        """Every STUDENT enrolment of these users, in any cohort."""
        ids = sorted(set(user_ids))
        found: list[dict[str, Any]] = []
        with self._api() as api:
            for start in range(0, len(ids), USERS_PER_REQUEST):
                chunk = ",".join(str(user_id) for user_id in ids[start : start + USERS_PER_REQUEST])
                found.extend(
                    self._all_pages(api, "admissions/academy/cohort/user", {"roles": "STUDENT", "users": chunk})
                )
        return found

    def _all_pages(self, api: ApiClient, path: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            body = api.get_json(path, {**params, "limit": self.page_size, "offset": len(items)})
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise ApiError(API, 200, "answered without a paginated results list")
            items.extend(body["results"])
            if body.get("next") is None or not body["results"]:
                return items
