"""Every asset that writes a warehouse table shows it in the catalog before its first materialization: the table's
name and its columns, as the SQLAlchemy table (and so the migrations) has them, declared on the asset's definition.
Their row counts, per materialization, are checked by the assets' own tests (paycom, attendance, revenue, payroll)."""

import dagster as dg
import pytest

from hr_assets.warehouse import tables
from hr_assets.warehouse.metadata import table_definition

# Each asset's own table: its main one where it writes several (the description names the others).
OWN_TABLE = {
    "paycom_roster_files": tables.paycom_files,
    "paycom_employees": tables.paycom_employees,
    "scheduling_staff": tables.scheduling_staff,
    "attendance_records": tables.attendance_import_records,
    "holded_services": tables.holded_services,
    "holded_invoices": tables.holded_invoices,
    "fourgeeks_students": tables.crm_students,
    "service_periods": tables.service_periods,
    "notion_external_ids": tables.notion_client_pages,
    "accruals": tables.accruals,
    "payroll_results": tables.payroll_results,
    "bayzat_sync_batches": tables.bayzat_sync_batches,
}


@pytest.mark.usefixtures("dagster_home")
def test_every_asset_declares_the_table_it_owns_with_its_columns() -> None:
    from hr_assets.definitions import defs

    graph = defs().resolve_asset_graph()
    assets = {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}
    assert assets.keys() == OWN_TABLE.keys(), "a new asset: declare its table here and on it"
    for name, table in OWN_TABLE.items():
        metadata = assets[name].metadata
        assert metadata["dagster/table_name"] == table.name, name
        schema = metadata["dagster/column_schema"]
        assert isinstance(schema, dg.TableSchema), name
        assert [column.name for column in schema.columns] == [column.name for column in table.columns], name
        assert "dagster/row_count" not in metadata, "the row count is a materialization's"


def test_the_columns_carry_their_type_nullability_and_the_primary_key() -> None:
    schema = table_definition(tables.attendance_import_records)["dagster/column_schema"]
    columns = {column.name: column for column in schema.columns}
    kinds = {name: column.type for name, column in columns.items()}
    assert (kinds["id"], kinds["date"], kinds["check_in"], kinds["raw"], kinds["is_valid"]) == (
        "int", "date", "time", "json", "bool",
    )  # fmt: skip
    assert (kinds["employee_code"], kinds["created_at"]) == ("string", "timestamp")
    assert columns["employee_code"].constraints.nullable and not columns["row_number"].constraints.nullable
    assert schema.constraints.other == ["primary key (id)"]
    money = table_definition(tables.payroll_results)["dagster/column_schema"]
    assert {column.name: column.type for column in money.columns}["gross_pay"] == "decimal"
    assert money.constraints.other == ["primary key (period_id, employee_code)"]
