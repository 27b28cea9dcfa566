"""Running the real attendance import job on a file, as the tests of attendance and of the Bayzat push do."""

from pathlib import Path

import dagster as dg

from hr_assets.definitions import defs
from hr_assets.defs.attendance.assets import FILE_TAG
from hr_assets.defs.attendance.importing import content_sha256, partition_key


def run_attendance_import(instance: dg.DagsterInstance, path: Path) -> dg.ExecuteInProcessResult:
    """The file's run of the real ``attendance_import`` job as the inbox sensor launches it: its partition
    added, the file named in a tag."""
    key = partition_key(path.name, content_sha256(path))
    instance.add_dynamic_partitions("attendance_files", [key])
    return (
        defs()
        .resolve_job_def("attendance_import")
        .execute_in_process(partition_key=key, instance=instance, tags={FILE_TAG: str(path)}, raise_on_error=False)
    )
