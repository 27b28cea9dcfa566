"""What a person does from the UI: the launchpad of ``companies_import_employees`` imports a company's own employee
list, from a path on the run's machine or from pasted content, as ``hr-assets companies import-employees`` does,
audited as the command is."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import dagster as dg
from pydantic import Field

from hr_assets.defs.attendance.employee_lists import EmployeeListError, import_employee_list
from hr_assets.defs.shared.companies import CompanyError
from hr_assets.lib import launched
from hr_assets.lib.clock import Clock
from hr_assets.lib.row_errors import reasons_table
from hr_assets.warehouse.resource import WarehouseResource

PASTED_FILE_NAME = "employees.csv"


class EmployeeListConfig(dg.Config):
    """The company, and the list: a file on the machine the run runs on, or its content pasted; give one of the two."""

    company: str = Field(description="The company's slug (e.g. advline), as hr-assets companies list shows it.")
    file_path: str | None = Field(
        None,
        description=(
            "The CSV's path on the machine the run runs on (where the daemon launches runs). Give it or content."
        ),
    )
    content: str | None = Field(
        None,
        description=(
            "The CSV's text, pasted whole (header line first: Employee Code, and Name), when the file is not on the "
            "run's machine. Give it or file_path."
        ),
    )
    file_name: str | None = Field(
        None,
        description=f"The name errors give pasted content (default {PASTED_FILE_NAME}); a file_path keeps its own.",
    )


def _source(config: EmployeeListConfig) -> tuple[Callable[[], BinaryIO], str]:
    """How to open the list from its start, and its name; fails in one line unless exactly one source is given."""
    if (config.file_path is None) == (config.content is None):
        raise dg.Failure(
            description="give the list as file_path or as content in the run config, not both", allow_retries=False
        )
    if config.content is not None:
        data = config.content.encode("utf-8")
        return lambda: io.BytesIO(data), config.file_name or PASTED_FILE_NAME
    path = Path(config.file_path or "")
    if not path.is_file():
        raise dg.Failure(description=f"{path} is not a file on the machine this run runs on", allow_retries=False)
    return lambda: path.open("rb"), path.name


@dg.op(
    description=(
        "Store the list as the company's newest snapshot, every row as the file says or with its errors, audited; it "
        "is the company's employee master while the company's employee_master is list."
    )
)
def store_employee_list(
    context: dg.OpExecutionContext, config: EmployeeListConfig, warehouse: WarehouseResource, clock: Clock
) -> dg.Output[int]:
    open_stream, file_name = _source(config)
    try:
        with warehouse.begin() as connection:
            imported = import_employee_list(
                connection,
                config.company,
                open_stream,
                file_name,
                now=clock.now(),
                command=launched.command(context),
                actor=launched.actor(context.run),
            )
    except (EmployeeListError, CompanyError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    context.log.info(f"snapshot {imported.list_id} of {config.company}: {imported.valid} employee(s)")
    return dg.Output(
        imported.list_id,
        metadata={  # counts and the first reasons, which quote codes, never names
            "company": config.company,
            "snapshot": imported.list_id,
            "file": imported.file_name,
            "rows": imported.rows,
            "valid_rows": imported.valid,
            "invalid_rows": imported.invalid,
            "reasons": reasons_table(imported.first_errors),
        },
    )


@dg.job(
    description=(
        "Import a company's own employee list (hr-assets companies import-employees): the run config names the "
        "company and gives the CSV's path or content."
    )
)
def companies_import_employees() -> None:
    store_employee_list()
