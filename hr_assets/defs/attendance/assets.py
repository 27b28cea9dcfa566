"""Fingerprint attendance files, each imported into attendance_import_records, every row kept."""

from typing import Any

import dagster as dg
from pydantic import Field

from hr_assets.defs.attendance.csv_file import AttendanceFileError
from hr_assets.defs.attendance.importing import ASSET, SOURCE, import_file, settled_dates_metadata
from hr_assets.defs.attendance.sync_status import COLUMNS as SYNC_COLUMNS
from hr_assets.defs.attendance.sync_status import import_sync_status
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.freshness import WITHIN_8_DAYS
from hr_assets.defs.shared.partitions import attendance_file_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.integration import IntegrationResource
from hr_assets.lib.row_errors import reasons_table
from hr_assets.warehouse import tables
from hr_assets.warehouse.integration_errors import clear_integration_errors
from hr_assets.warehouse.metadata import row_count, rows_table, table_definition
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.stored_files import StoredFile, StoredFileMissing, find_stored, readable


class AttendanceFileConfig(dg.Config):
    """The file a run imports: its copy in the warehouse, stored by the inbox sensor or ``hr-assets attendance
    import`` (``attendance_file_config``). Without it, a run imports the partition's file again."""

    stored_file_id: int | None = Field(
        None,
        description=(
            "The file's copy in the warehouse (stored_files.id), which the run reads, on whichever machine it runs. "
            "Empty: the file this partition was imported from."
        ),
    )
    file_path: str | None = Field(
        None,
        description=(
            "Where the file was found, on the machine that stored it: kept with the import, and where the retention "
            "clean-up deletes it. The run does not read it."
        ),
    )


def attendance_file_config(stored: StoredFile, file_path: str) -> dict[str, Any]:
    """The run config of a run importing ``stored``, found at ``file_path``."""
    config = AttendanceFileConfig(stored_file_id=stored.id, file_path=file_path)
    return {"ops": {"attendance_records": {"config": config.model_dump()}}}


@dg.asset(
    partitions_def=attendance_file_partitions,
    group_name="attendance",
    freshness_policy=WITHIN_8_DAYS,
    kinds={"csv", "sql"},
    owners=["team:hr-ops"],
    deps=[dg.AssetDep("paycom_employees", partition_mapping=dg.AllPartitionMapping())],
    metadata=table_definition(tables.attendance_import_records),
    description=(
        "One fingerprint attendance file per partition: every row stored in attendance_import_records, valid "
        "(employee known, department mapped to a company, dates and times read) or with its reasons; the import's "
        "totals, errors and unmapped departments in attendance_imports."
    ),
)
def attendance_records(
    context: dg.AssetExecutionContext,
    config: AttendanceFileConfig,
    warehouse: WarehouseResource,
    clock: Clock,
    paycom_sftp: IntegrationResource,
) -> dg.MaterializeResult[Any]:
    """``paycom_sftp``, Paycom's resource, says whether the employees come from Paycom's roster (see
    ``import_file``)."""
    (stored, file_path), now = _file_of(context, config, warehouse), clock.now()
    try:
        outcome = import_file(
            warehouse.engine,
            stored,
            context.run.run_id,
            now,
            roster_required=paycom_sftp.is_configured(),
            file_path=file_path,
        )
    except AttendanceFileError as exc:
        raise dg.Failure(description=str(exc)) from None
    same_content = {}
    with warehouse.begin() as connection:
        if outcome.partition_key != context.partition_key:
            # The content was imported before under another name: its records and errors stay with that partition.
            context.log.info(
                f"{stored.file_name} has the content of partition {outcome.partition_key}, imported again there."
            )
            clear_integration_errors(connection, asset=ASSET, partition_key=context.partition_key)
            same_content = {"imported_as_partition": outcome.partition_key}
        records_table = row_count(connection, tables.attendance_import_records)
        sync_status = import_sync_status(connection, outcome.import_id)
    return dg.MaterializeResult(
        metadata={
            "file": outcome.file_name,
            "encoding": outcome.encoding,
            "rows": outcome.rows,
            "valid_records": outcome.valid,
            "invalid_records": outcome.invalid,
            "errors": outcome.error_count,
            "unmapped_departments": rows_table(
                [{"department": name} for name in outcome.unmapped_departments], {"department": "string"}
            ),
            "reasons": reasons_table(outcome.first_errors),
            "bayzat_status_by_company": rows_table(
                sync_status, dict.fromkeys(SYNC_COLUMNS, "int") | {"company": "string"}
            ),
            **same_content,
            **settled_dates_metadata(outcome),
            **records_table,
        }
    )


def _file_of(
    context: dg.AssetExecutionContext, config: AttendanceFileConfig, warehouse: WarehouseResource
) -> tuple[StoredFile, str | None]:
    """The stored file the run names (sensor or CLI) and where it was found, else the one this partition was
    imported from."""
    with warehouse.begin() as connection:
        if config.stored_file_id is not None:
            try:
                return readable(connection, config.stored_file_id), config.file_path
            except StoredFileMissing as exc:
                raise dg.Failure(description=f"{exc}; import the file again") from None
        imported = attendance_pushes.import_by_key(connection, context.partition_key)
        if imported is None:
            raise dg.Failure(description=f"no file is known for partition {context.partition_key}; import it again")
        if imported["file_removed_at"] is not None:
            raise dg.Failure(
                description=(
                    f"{imported['filename']} was removed by the retention clean-up on "
                    f"{imported['file_removed_at']:%Y-%m-%d}; its {imported['total_records']} records are kept"
                )
            )
        sha256 = imported["content_sha256"]
        stored = find_stored(connection, source=SOURCE, sha256=sha256, file_name=imported["filename"]) or find_stored(
            connection, source=SOURCE, sha256=sha256
        )
    if stored is None:
        raise dg.Failure(description=f"{imported['filename']} has no copy in the warehouse; import it again")
    return stored, imported["file_path"]
