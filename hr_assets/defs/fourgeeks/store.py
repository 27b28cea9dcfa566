"""Reading the CRM tables; each function works inside the caller's transaction."""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.tables import crm_students


def students_of_contacts(connection: Connection, contact_ids: Iterable[str]) -> dict[int, str]:
    """Student id -> Holded contact id, for the students matched to these contacts."""
    ids = list(contact_ids)
    if not ids:
        return {}
    query = sa.select(crm_students.c.id, crm_students.c.holded_contact_id).where(
        crm_students.c.holded_contact_id.in_(ids)
    )
    return dict(connection.execute(query).tuples().all())
