"""A vendor API's failure, shown as the step's failure message itself: one clear line, no traceback."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from hr_assets.lib.http import ApiError


@contextmanager
def api_failure_fails_the_step() -> Iterator[None]:
    try:
        yield
    except ApiError as exc:
        raise dg.Failure(description=str(exc)) from None
