"""``/api/paycom/sync/``: the last syncs, starting one (a ``paycom_sync`` run the daemon executes), and testing
the login."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from hr_assets.api.auth import FORBIDDEN, UNAUTHORIZED, Caller, operator, reader
from hr_assets.api.schemas import ConnectionTest, StartedSync, StartSync, Sync, SyncFile, SyncStatus
from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.defs.paycom.schedules import WEEKLY_SYNC_CRON
from hr_assets.lib.cron import first_tick_from
from hr_assets.lib.errors import OperatorError
from hr_assets.lib.runs import the_instance
from hr_assets.lib.webserver import RUN_QUEUE, check_serves, submit_run

router = APIRouter(prefix="/api/paycom/sync", tags=["sync"], responses=UNAUTHORIZED)
LAST_SYNCS = 10


@router.get("/status/", response_model=SyncStatus, summary="The last syncs with their counts and files, and the next")
def status(request: Request, _: Annotated[Caller, Depends(reader)]) -> SyncStatus:
    with request.app.state.engine.connect() as connection:
        syncs = [
            Sync(
                **row,
                files=[
                    SyncFile(file_name=f["file_name"], report_type=f["report_type"], status=f["status"])
                    for f in store.week_files(connection, row["sync_week"])
                ],
            )
            for row in store.recent_syncs(connection, LAST_SYNCS)
        ]
    clock = request.app.state.clock
    return SyncStatus(
        last_syncs=syncs, next_scheduled_sync=first_tick_from(clock.now(), WEEKLY_SYNC_CRON, clock.timezone)
    )


@router.post(
    "/start_sync/",
    response_model=StartedSync,
    status_code=202,
    responses=FORBIDDEN | {503: {"description": "The Dagster web server did not take the run; the detail says why"}},
    summary="Queue a paycom_sync run for the week in progress",
)
def start_sync(request: Request, body: StartSync, _: Annotated[Caller, Depends(operator)]) -> StartedSync:
    week = request.app.state.weeks.get_last_partition_key()
    if week is None:
        raise HTTPException(status_code=409, detail="No sync week has started yet (HR_HISTORY_START).")
    dagster = request.app.state.dagster
    config = {"report_type": body.report_type, "force": body.force, "dry_run": False}
    try:
        with the_instance() as instance:
            check_serves(dagster.public_url, instance, RUN_QUEUE, request.app.state.clock.now())
        run_id = submit_run(
            dagster.public_url,
            "paycom_sync",
            partition_key=week,
            run_config={"ops": {"paycom_roster_files": {"config": config}}},
            launched_by="api",
        )
    except OperatorError as exc:  # the webserver's answer, or DAGSTER_HOME's instance
        raise HTTPException(status_code=503, detail=f"The Dagster web server did not take the run: {exc}") from exc
    return StartedSync(run_id=run_id, week=dt.date.fromisoformat(week), url=f"{dagster.public_url}/runs/{run_id}")


@router.post(
    "/test_connection/",
    response_model=ConnectionTest,
    responses=FORBIDDEN,
    summary="Log in to Paycom SFTP and list the folder",
)
def test_connection(_: Annotated[Caller, Depends(operator)]) -> ConnectionTest:
    try:
        resource = PaycomSftpResource.for_command()
        entries = resource.test_connection()
    except OperatorError as exc:
        return ConnectionTest(ok=False, message=str(exc).splitlines()[0])
    return ConnectionTest(ok=True, message=f"Connected, host key verified; {entries} entries in the remote folder")
