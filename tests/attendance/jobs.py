"""Running the real attendance import job on a file, as the tests of attendance and of the Bayzat push do."""

from pathlib import Path

import dagster as dg
from sqlalchemy.engine import Engine

from hr_assets.cli.warehouse import warehouse
from hr_assets.definitions import defs
from hr_assets.defs.attendance.assets import attendance_file_config
from hr_assets.defs.attendance.importing import content_sha256, partition_key, store_attendance_file
from hr_assets.lib.clock import Clock
from hr_assets.warehouse.stored_files import StoredFile


def stored(engine: Engine, path: Path) -> StoredFile:
    """The file stored in the warehouse, as the inbox sensor and the command store it before its run."""
    with engine.begin() as connection:
        return store_attendance_file(connection, path, content_sha256(path), Clock().now())


def run_attendance_import(instance: dg.DagsterInstance, path: Path) -> dg.ExecuteInProcessResult:
    """The file's run of the real ``attendance_import`` job as the inbox sensor launches it: the file stored in the
    warehouse (``HR_WAREHOUSE_URL``), its partition added, the stored file named in the run config."""
    key = partition_key(path.name, content_sha256(path))
    instance.add_dynamic_partitions("attendance_files", [key])
    run_config = attendance_file_config(stored(warehouse(), path), str(path))
    return (
        defs()
        .resolve_job_def("attendance_import")
        .execute_in_process(partition_key=key, instance=instance, run_config=run_config, raise_on_error=False)
    )
