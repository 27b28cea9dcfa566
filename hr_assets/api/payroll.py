"""``/api/payroll/``: a completed pay period's results per employee, for tokens of scope ``pay`` only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from hr_assets.api.auth import FORBIDDEN, UNAUTHORIZED, Caller, payer
from hr_assets.api.schemas import PeriodPay
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.periods import PeriodError
from hr_assets.defs.payroll.results import pay_results, period_named

router = APIRouter(prefix="/api/payroll", tags=["payroll"], responses=UNAUTHORIZED)
PERIOD_FIELDS = ("id", "period_type", "start_date", "end_date", "processed_at")


@router.get(
    "/periods/{period}/results/",
    response_model=PeriodPay,
    responses=FORBIDDEN
    | {404: {"description": "No such pay period"}, 409: {"description": "The period is not completed yet"}},
    summary="A completed pay period's pay per employee: hours, overtime, rate terms and gross pay, to the cent",
)
def period_results(
    request: Request,
    _: Annotated[Caller, Depends(payer)],
    period: Annotated[
        str,
        Path(
            min_length=1,
            max_length=40,
            description="The period's id, or its days: 2026-01-01..2026-01-15.",
            examples=["1", "2026-01-01..2026-01-15"],
        ),
    ],
) -> PeriodPay:
    with request.app.state.engine.connect() as connection:
        try:
            row = period_named(connection, period)
        except PeriodError as exc:
            raise HTTPException(status_code=404, detail=f"No such pay period: {exc}") from None
        if row["status"] != "completed":
            raise HTTPException(status_code=409, detail=f"Period {row['id']} is {row['status']}, not completed.")
        results = pay_results(connection, row["id"])
    described = {name: row[name] for name in PERIOD_FIELDS}
    return PeriodPay(**described, partition_key=store.dates_of(row).partition_key, results=results)
