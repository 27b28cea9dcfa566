"""Paycom roster: files from SFTP and the merged employee roster (the staff view is in ``scheduling_staff.py``).

One partition is one weekly sync, keyed by its Friday. A week that has a completed sync is skipped
unless the run is forced; a dry run lists what it would download and writes nothing.
"""

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from sqlalchemy.engine import Connection

from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.ingest import NOT_DOWNLOADED, SOURCE, FilesNoLongerKept, NoFilesDownloaded, ingest_week
from hr_assets.defs.paycom.reports import (
    REPORT_TYPES,
    RemoteReport,
    UnsafeRemoteName,
    check_remote_name,
    classify,
    newest_per_type,
    sync_cutoff,
)
from hr_assets.defs.paycom.resources import DownloadedFile, FailedDownload, PaycomSftpResource
from hr_assets.defs.shared.companies import DateFormat
from hr_assets.defs.shared.freshness import WITHIN_8_DAYS
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.row_errors import reasons_table
from hr_assets.settings import Settings
from hr_assets.warehouse import tables
from hr_assets.warehouse.metadata import row_count, rows_table, table_definition
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.stored_files import store_path

GROUP = "paycom"


class PaycomSyncConfig(dg.Config):
    """Run options of a Paycom sync (``hr-assets paycom sync`` sets the same)."""

    report_type: Literal["directory", "dates", "payees", "pay", "all"] = "all"
    force: bool = False
    dry_run: bool = False

    def report_types(self) -> tuple[str, ...]:
        return REPORT_TYPES if self.report_type == "all" else (self.report_type,)


def week_of(context: dg.AssetExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)


def _file_rows(
    connection: Connection,
    downloaded: list[DownloadedFile],
    failed: list[FailedDownload],
    refused: list[tuple[str, str]],
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """The week's paycom_files rows; each downloaded file stored in the warehouse, where paycom_employees reads it."""
    nothing = {"size_bytes": None, "sha256": None, "downloaded_at": None, "stored_file_id": None}
    return (
        [
            {
                "file_name": f.report.name,
                "report_type": f.report.report_type,
                "size_bytes": f.size_bytes,
                "sha256": f.sha256,
                "downloaded_at": now,
                "status": "downloaded",
                "error_message": None,
                "stored_file_id": store_path(connection, source=SOURCE, path=f.path, now=now).id,
            }
            for f in downloaded
        ]
        + [
            {
                **nothing,
                "file_name": f.report.name,
                "report_type": f.report.report_type,
                "size_bytes": f.report.size_bytes,
                "status": NOT_DOWNLOADED,
                "error_message": f.reason,
            }
            for f in failed
        ]
        + [
            {**nothing, "file_name": name[:255], "report_type": "unknown", "status": "refused", "error_message": reason}
            for name, reason in refused
        ]
    )


def _choose_reports(
    context: dg.AssetExecutionContext, config: PaycomSyncConfig, paycom_sftp: PaycomSftpResource, clock: Clock
) -> tuple[dict[str, RemoteReport], list[tuple[str, str]]]:
    """The newest report of each wanted type pushed by the end of the week's Friday, and the refused names."""
    entries = paycom_sftp.list_files()
    refused = []
    reports = []
    for entry in entries:
        try:
            check_remote_name(entry.name)
        except UnsafeRemoteName as exc:
            context.log.warning(str(exc))
            refused.append((entry.name, str(exc)))
            continue
        report = classify(entry.name, entry.size_bytes, clock.tz)
        if report is not None:
            reports.append(report)
    cutoff = sync_cutoff(context.partition_time_window.start)
    chosen = newest_per_type(reports, cutoff, config.report_types())
    for missing in sorted(set(config.report_types()) - set(chosen)):
        context.log.warning(f"No Paycom {missing} report was pushed before {cutoff:%Y-%m-%d %H:%M %Z}.")
    if not chosen:
        raise dg.Failure(
            f"No Paycom report of type {', '.join(config.report_types())} in {paycom_sftp.remote_directory} "
            f"was pushed before {cutoff:%Y-%m-%d %H:%M %Z}; check Paycom's scheduled reports."
        )
    return chosen, refused


def roster_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """The week's files and the roster merged from them, one partition per weekly sync (its Friday)."""
    weeks = weekly_sync_partitions(settings)

    @dg.asset(
        partitions_def=weeks,
        group_name=GROUP,
        freshness_policy=WITHIN_8_DAYS,
        kinds={"sftp", "numbers"},
        owners=["team:hr-data"],
        output_required=False,
        metadata=table_definition(tables.paycom_files),
        description=(
            "The week's newest Paycom reports (Directory, Dates, Payees, pay export) downloaded from SFTP and kept in "
            "the warehouse (stored_files) until paycom_employees has read them."
        ),
    )
    def paycom_roster_files(
        context: dg.AssetExecutionContext,
        config: PaycomSyncConfig,
        paycom_sftp: PaycomSftpResource,
        warehouse: WarehouseResource,
        clock: Clock,
    ) -> Iterator[dg.MaterializeResult[Any] | dg.AssetObservation]:
        week, run_id = week_of(context), context.run.run_id
        if not config.force and not config.dry_run:
            with warehouse.begin() as connection:
                done = store.completed_sync(connection, week)
                if done:
                    context.log.info(
                        f"Week {week} was already synced at "
                        f"{done['completed_at'].astimezone(clock.tz):%Y-%m-%d %H:%M %Z}"
                        "; nothing to do (run with force to sync it again)."
                    )
                    store.skip_sync(
                        connection,
                        run_id,
                        week,
                        config.report_type,
                        f"week already synced by run {done['run_id']}",
                        clock.now(),
                    )
                    return

        started_at = clock.now()
        with tempfile.TemporaryDirectory(prefix="hr_paycom_") as directory:  # this run's, gone when it is stored
            try:
                chosen, refused = _choose_reports(context, config, paycom_sftp, clock)
                if config.dry_run:
                    names = [report.name for report in chosen.values()]
                    context.log.info("Dry run: would download " + (", ".join(names) or "nothing"))
                    yield dg.AssetObservation(asset_key=context.asset_key, metadata={"would_download": names})
                    return
                downloaded, failed = paycom_sftp.download(list(chosen.values()), Path(directory))
            except Exception as exc:
                if not config.dry_run:
                    with warehouse.begin() as connection:
                        store.fail_sync(
                            connection,
                            run_id,
                            week,
                            config.report_type,
                            config.force,
                            started_at,
                            clock.now(),
                            str(exc),
                        )
                raise
            with warehouse.begin() as connection:
                store.start_sync(
                    connection, run_id, week, config.report_type, config.force, started_at, len(downloaded)
                )
                store.replace_files(connection, week, _file_rows(connection, downloaded, failed, refused, clock.now()))
                files_table = row_count(connection, tables.paycom_files)
        yield dg.MaterializeResult(
            metadata={
                "files": rows_table(
                    [
                        {"report": f.report.report_type, "file": f.report.name, "bytes": f.size_bytes}
                        for f in downloaded
                    ],
                    {"report": "string", "file": "string", "bytes": "int"},
                ),
                "file_count": len(downloaded),
                "failed_downloads": len(failed),
                "missing_report_types": [t for t in config.report_types() if t not in chosen],
                "refused_names": len(refused),
                **files_table,
            }
        )

    @dg.asset(
        partitions_def=weeks,
        group_name=GROUP,
        freshness_policy=WITHIN_8_DAYS,
        kinds={"python", "sql"},
        owners=["team:hr-data"],
        deps=[paycom_roster_files],
        metadata=table_definition(tables.paycom_employees),
        description=(
            "The merged roster upserted into paycom_employees, with the week's snapshot in "
            "paycom_employee_snapshots and every unusable row in integration_errors."
        ),
    )
    def paycom_employees(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, paycom_sftp: PaycomSftpResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        week = week_of(context)
        try:
            return _sync_employees(context, week, warehouse, paycom_sftp.date_format, clock)
        except Exception as exc:
            with warehouse.begin() as connection:
                store.finish_sync(
                    connection, context.run.run_id, week, clock.now(), status="failed", error_message=str(exc)
                )
            raise

    return [paycom_roster_files, paycom_employees]


def _sync_employees(
    context: dg.AssetExecutionContext,
    week: dt.date,
    warehouse: WarehouseResource,
    date_format: DateFormat,
    clock: Clock,
) -> dg.MaterializeResult[Any]:
    try:
        with warehouse.begin() as connection:
            outcome = ingest_week(
                connection, week=week, run_id=context.run.run_id, now=clock.now(), date_format=date_format
            )
            employees_table = row_count(connection, tables.paycom_employees)
    except NoFilesDownloaded as exc:
        raise dg.Failure(f"{exc}: materialize paycom_roster_files first.") from None
    except FilesNoLongerKept as exc:
        raise dg.Failure(f"{exc}: materialize paycom_roster_files first, with force.") from None
    if not outcome.reports:  # committed first, so the reasons are stored as well as shown
        raise dg.Failure(
            f"None of week {week}'s Paycom files could be read: "
            + "; ".join(error.describe() for error in outcome.errors)
        )
    if outcome.errors:
        context.log.warning(
            f"{len(outcome.errors)} Paycom rows could not be used; see integration_errors for week {week}."
        )
    if disagreements := outcome.metadata["report_disagreements"]:
        context.log.warning(
            f"{disagreements} fields of this week's Paycom reports were said otherwise by a report of an older push; "
            "the newest push's values were used (see the disagreements table)."
        )
    return dg.MaterializeResult(
        metadata={**outcome.metadata, "invalid_rows": reasons_table(outcome.errors), **employees_table}
    )
