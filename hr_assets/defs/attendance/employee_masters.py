"""Each company's employee master, which a fingerprint row's employee id is checked against, and the device ids
mapped to employee codes.

A row of company C with device id X stands for the code C maps X to (``hr-assets companies map-employee``), else X
itself; that code must be in C's master: the Paycom roster (every employee, terminated ones too: their past
attendance counts), C's own list (the valid rows of its newest imported snapshot), or none, the device's ids being
the codes (``companies.EmployeeMaster``). A company that chose none, and a row whose department maps to no company,
follow the deployment's rule: the roster once one is synced or where Paycom is configured, else the device's ids.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from sqlalchemy.engine import Connection

from hr_assets.defs.attendance import employee_lists, store
from hr_assets.defs.shared import companies as company_store
from hr_assets.defs.shared.companies import EmployeeMaster
from hr_assets.lib.cells import BadValue, quoted
from hr_assets.warehouse.tables import attendance_import_records, text_width

CODE_WIDTH = text_width(attendance_import_records.c.employee_code)


@dataclass(frozen=True)
class EmployeeMasters:
    """The masters one validation reads, loaded once (``load_masters``)."""

    roster: frozenset[str] = frozenset()
    # Paycom is configured: rows following the deployment's rule need the roster even before its first sync.
    roster_required: bool = False
    chosen: Mapping[int, EmployeeMaster] = dataclass_field(default_factory=dict)  # the companies that chose one
    lists: Mapping[int, frozenset[str]] = dataclass_field(default_factory=dict)  # newest snapshot's codes
    device_codes: Mapping[tuple[int, str], str] = dataclass_field(default_factory=dict)

    def codes_for(self, company_id: int | None) -> frozenset[str] | None:
        """The codes the company's rows must be among; None when the device's ids are the codes."""
        chosen = self.chosen.get(company_id) if company_id is not None else None
        if chosen is EmployeeMaster.LIST and company_id is not None:
            return self.lists.get(company_id, frozenset())
        if chosen is EmployeeMaster.DEVICE:
            return None
        if chosen is EmployeeMaster.PAYCOM or self.roster or self.roster_required:
            return self.roster
        return None

    def code_of(self, device_id: str | None, company_id: int | None) -> str:
        """The master's code of the row's employee; raises ``BadValue`` saying why there is none."""
        if not device_id:
            raise BadValue("the employee id is empty")
        mapped = self.device_codes.get((company_id, device_id)) if company_id is not None else None
        code = mapped or device_id
        codes = self.codes_for(company_id)
        if codes is None:
            if len(code) > CODE_WIDTH:
                raise BadValue(f"employee id is {len(code)} characters long; an employee code has at most {CODE_WIDTH}")
            return code
        if code in codes:
            return code
        own_list = company_id is not None and self.chosen.get(company_id) is EmployeeMaster.LIST
        master = "the employee master" + (" (the company's own employee list)" if own_list else "")
        if mapped:
            raise BadValue(
                f"employee id {quoted(device_id)} stands for code {quoted(mapped)} (hr-assets companies map-employee), "
                f"which is not in {master}"
            )
        raise BadValue(f"employee id {quoted(device_id)} is not in {master}{_zeros_hint(device_id, codes)}")


def load_masters(connection: Connection, roster_required: bool) -> EmployeeMasters:
    """Every company's master as stored now; ``roster_required``: Paycom is configured."""
    return EmployeeMasters(
        roster=store.employee_codes(connection),
        roster_required=roster_required,
        chosen=company_store.employee_masters(connection),
        lists=employee_lists.newest_codes(connection),
        device_codes=company_store.device_codes(connection),
    )


def _zeros_hint(device_id: str, employee_codes: frozenset[str]) -> str:
    """Devices pad ids with zeros where the master may not (or the reverse); that is pointed out, never matched."""
    similar = _codes_without_leading_zeros(employee_codes).get(device_id.lstrip("0"), [])
    return f" (the master has {', '.join(map(repr, similar))}: leading zeros differ)" if similar else ""


@functools.lru_cache(maxsize=8)
def _codes_without_leading_zeros(employee_codes: frozenset[str]) -> dict[str, list[str]]:
    """The master's codes by their digits without leading zeros, sorted: built once per master (a frozenset's hash
    is kept), not once for every row of an unknown id; a file's rows of a few companies share the cache."""
    codes: dict[str, list[str]] = {}
    for code in sorted(employee_codes):
        codes.setdefault(code.lstrip("0"), []).append(code)
    return codes
