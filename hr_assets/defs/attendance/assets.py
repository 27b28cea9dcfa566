"""Fingerprint attendance files, each imported into attendance_import_records, every row kept."""

from pathlib import Path

import dagster as dg

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.csv_file import AttendanceFileError
from hr_assets.defs.attendance.importing import ASSET, import_file, settled_dates_metadata
from hr_assets.defs.freshness import WITHIN_8_DAYS
from hr_assets.defs.partitions import attendance_file_partitions
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.lib.clock import Clock
from hr_assets.lib.row_errors import reasons_markdown
from hr_assets.warehouse.integration_errors import clear_integration_errors
from hr_assets.warehouse.resource import WarehouseResource

FILE_TAG = "hr_assets/attendance_file"


@dg.asset(
    partitions_def=attendance_file_partitions,
    group_name="attendance",
    freshness_policy=WITHIN_8_DAYS,
    kinds={"csv", "sql"},
    owners=["team:hr-ops"],
    deps=[dg.AssetDep("paycom_employees", partition_mapping=dg.AllPartitionMapping())],
    description=(
        "One fingerprint attendance file per partition: every row stored in attendance_import_records, valid "
        "(employee known, department mapped to a company, dates and times read) or with its reasons; the import's "
        "totals, errors and unmapped departments in attendance_imports."
    ),
)
def attendance_records(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, clock: Clock, paycom_sftp: PaycomSftpResource
) -> dg.MaterializeResult:
    """``paycom_sftp`` says whether the employees come from Paycom's roster (see ``import_file``)."""
    path, now = _file_of(context, warehouse), clock.now()
    try:
        outcome = import_file(
            warehouse.engine, path, context.run.run_id, now, roster_required=paycom_sftp.is_configured()
        )
    except AttendanceFileError as exc:
        raise dg.Failure(description=str(exc)) from None
    same_content = {}
    if outcome.partition_key != context.partition_key:
        # The content was imported before under another name: its records and errors stay with that partition.
        context.log.info(f"{path.name} has the content of partition {outcome.partition_key}, imported again there.")
        with warehouse.begin() as connection:
            clear_integration_errors(connection, asset=ASSET, partition_key=context.partition_key)
        same_content = {"imported_as_partition": outcome.partition_key}
    unmapped = "\n".join(f"- {name}" for name in outcome.unmapped_departments) or "none"
    return dg.MaterializeResult(
        metadata={
            "file": outcome.file_name,
            "encoding": outcome.encoding,
            "rows": outcome.rows,
            "valid_records": outcome.valid,
            "invalid_records": outcome.invalid,
            "unmapped_departments": dg.MetadataValue.md(unmapped),
            "reasons": dg.MetadataValue.md(reasons_markdown(outcome.first_errors, total=outcome.error_count)),
            **same_content,
            **settled_dates_metadata(outcome),
        }
    )


def _file_of(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Path:
    """The file named by the run (sensor or CLI), else the one this partition was imported from."""
    tagged = context.run.tags.get(FILE_TAG)
    if tagged:
        return Path(tagged)
    with warehouse.begin() as connection:
        imported = store.import_by_key(connection, context.partition_key)
    if imported is None:
        raise dg.Failure(description=f"no file is known for partition {context.partition_key}; import it again")
    if imported["file_removed_at"] is not None:
        raise dg.Failure(
            description=(
                f"{imported['filename']} was removed by the retention clean-up on "
                f"{imported['file_removed_at']:%Y-%m-%d}; its {imported['total_records']} records are kept"
            )
        )
    return Path(imported["file_path"])
