"""What every vendor API resource shares: where the API is, how fast we may call it (each key's budget shared by every
run, process and host through the warehouse), how hard we retry, and that its failure fails the step with the API's
own one-line message (no traceback)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg
from pydantic import Field, PositiveFloat

from hr_assets.lib.http import ApiClient, ApiError
from hr_assets.lib.integration import IntegrationResource
from hr_assets.settings import SECRET, Settings


class BudgetedResource(IntegrationResource):
    """A vendor API whose keys' request budgets are shared through the warehouse (``RateLimiter`` in
    ``hr_assets/lib/http.py``)."""

    hr_warehouse_url: str | None = Field(
        None,
        description=(
            "The warehouse, through which every run and process shares each API key's budget; default the "
            "platform's (SQLite in DAGSTER_HOME)."
        ),
        json_schema_extra=SECRET,
    )

    def shared_through(self) -> str:
        """The warehouse URL the clients' limiters share each key's budget through."""
        return self.hr_warehouse_url or Settings.from_environment().resolved_warehouse_url()


class ApiResource(BudgetedResource):
    base_url: str = Field(
        description="Where the API is: the vendor's own by default, the sandbox's twin in development."
    )
    rate_limit_per_second: PositiveFloat = Field(description="Requests a second the API allows per key.")
    max_attempts: int = Field(6, ge=1, description="Attempts of a request the API throttles or fails (5xx).")
    backoff_initial_s: float = Field(0.5, ge=0, description="The first retry's wait (s); doubled each attempt.")

    @contextmanager
    def _client(self, headers: Mapping[str, str], credential: str) -> Iterator[ApiClient]:
        """A client paced on ``credential``'s budget, shared by every client of that key in every run and process."""
        self.check()
        try:
            with ApiClient(
                self.integration,
                self.base_url,
                headers=headers,
                rate_limit_per_second=self.rate_limit_per_second,
                limiter_key=credential,
                shared_through=self.shared_through(),
                max_attempts=self.max_attempts,
                backoff_initial_s=self.backoff_initial_s,
            ) as client:
                yield client
        except ApiError as exc:
            raise dg.Failure(description=str(exc)) from None
