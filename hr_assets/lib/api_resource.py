"""What every vendor API resource shares: where the API is, how fast we may call it, how hard we retry,
and that its failure fails the step with the API's own one-line message (no traceback)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg

from hr_assets.lib.http import ApiClient, ApiError


class ApiResource(dg.ConfigurableResource):
    base_url: str
    rate_limit_per_second: float
    max_attempts: int = 6
    backoff_initial_s: float = 0.5

    @contextmanager
    def _client(self, api: str, headers: Mapping[str, str], credential: str) -> Iterator[ApiClient]:
        """A client paced on ``credential``'s budget, shared by every client of that key in this process."""
        try:
            with ApiClient(
                api,
                self.base_url,
                headers=headers,
                rate_limit_per_second=self.rate_limit_per_second,
                limiter_key=credential,
                max_attempts=self.max_attempts,
                backoff_initial_s=self.backoff_initial_s,
            ) as client:
                yield client
        except ApiError as exc:
            raise dg.Failure(description=str(exc)) from None
