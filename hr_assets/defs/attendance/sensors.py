"""The attendance inbox: each new file content is imported once, as soon as it has stopped changing."""

import json

import dagster as dg
from sqlalchemy.engine import Connection

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.assets import attendance_file_config
from hr_assets.defs.attendance.importing import content_sha256, partition_key, store_attendance_file
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.defs.shared import companies as company_store
from hr_assets.defs.shared.companies import EmployeeMaster
from hr_assets.defs.shared.jobs import attendance_import_job
from hr_assets.defs.shared.partitions import attendance_file_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.integration import IntegrationResource
from hr_assets.warehouse.resource import WarehouseResource

# A file modified within this many seconds of the clock's now may still be being copied in: it waits for the next
# tick. A file's mtime is the kernel's, so a test that shifts the process clock ages its files or binds a clock.
SETTLE_SECONDS = 10
ATTENDANCE_SUFFIXES = (".csv", ".txt")


@dg.sensor(
    job=attendance_import_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Imports each new attendance file in ATTENDANCE_INBOX_DIRECTORY once per content (its SHA-256): stores it in "
        "the warehouse, where the run reads it."
    ),
)
def attendance_inbox(
    context: dg.SensorEvaluationContext,
    warehouse: WarehouseResource,
    clock: Clock,
    attendance_inbox: AttendanceInboxResource,
    paycom_sftp: IntegrationResource,
) -> dg.SensorResult | dg.SkipReason:
    if problem := attendance_inbox.problem():
        return dg.SkipReason(problem)
    inbox = attendance_inbox.inbox
    if not inbox.is_dir():
        return dg.SkipReason(f"the attendance inbox {inbox} does not exist yet")
    with warehouse.begin() as connection:
        if paycom_sftp.is_configured() and not store.employee_codes(connection) and _roster_needed(connection):
            # Every row of such a company would be refused as an unknown employee: wait for the first Paycom sync.
            return dg.SkipReason("the employee master is empty: sync the Paycom roster first")
    seen: dict[str, list[int]] = json.loads(context.cursor) if context.cursor else {}
    requests, keys, now = [], [], clock.now()
    for path in sorted(inbox.iterdir()):
        if not path.is_file() or path.suffix.lower() not in ATTENDANCE_SUFFIXES:
            continue
        stat = path.stat()
        version = [stat.st_mtime_ns, stat.st_size]
        if seen.get(path.name) == version or now.timestamp() - stat.st_mtime < SETTLE_SECONDS:
            continue
        sha256 = content_sha256(path)
        with warehouse.begin() as connection:
            stored = store_attendance_file(connection, path, sha256, now)
        key = partition_key(path.name, sha256)
        keys.append(key)
        run_config = attendance_file_config(stored, str(path.resolve()))
        requests.append(dg.RunRequest(run_key=sha256, partition_key=key, run_config=run_config))
        seen[path.name] = version
    if not requests:
        return dg.SkipReason("no new or changed attendance file")
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[attendance_file_partitions.build_add_request(keys)],
        cursor=json.dumps(seen),
    )


def _roster_needed(connection: Connection) -> bool:
    """Some company's rows are checked against the Paycom roster (it chose the roster, or none), or none is added."""
    chosen = company_store.employee_masters(connection)
    ids = company_store.slugs(connection)
    return not ids or any(chosen.get(company_id, EmployeeMaster.PAYCOM) is EmployeeMaster.PAYCOM for company_id in ids)
