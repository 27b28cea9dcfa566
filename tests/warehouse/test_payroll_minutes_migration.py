"""Migration 0021 gives payroll results and their rate rows the minutes pay is computed from: the rows of earlier runs
get back the whole minutes their hours were rounded from, and the downgrade takes the columns away again."""

import datetime as dt

import sqlalchemy as sa
from alembic import command

from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, migration_transaction

NOW = dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC)


def columns(engine: sa.Engine, table: str) -> set[str]:
    with engine.connect() as connection:
        return {column["name"] for column in sa.inspect(connection).get_columns(table)}


def test_minutes_come_back_from_the_hours_of_earlier_runs(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with migration_transaction(engine) as connection:
        command.upgrade(alembic_config(connection), "0020")
    common = {"period_id": 1, "employee_code": "H1", "pay_type": "hourly", "hourly_rate": 20,
              "overtime_eligible": True}  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO payroll_periods (id, start_date, end_date, period_type, automation_enabled, status, "
                "claims, created_at, updated_at) VALUES (1, '2026-01-01', '2026-01-14', 'bi_weekly', false, "
                "'completed', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO payroll_result_rates (period_id, employee_code, first_day, last_day, pay_type, "
                "hourly_rate, overtime_eligible, paid_days, regular_hours, overtime_hours, gross_pay) VALUES "
                "(:period_id, :employee_code, :first, :last, :pay_type, :hourly_rate, :overtime_eligible, 7, :regular,"
                " :overtime, :gross)"
            ),
            [
                common | {"first": "2026-01-01", "last": "2026-01-07", "regular": "40.00", "overtime": "0.42",
                          "gross": "812.60"},  # 25 min of overtime
                common | {"first": "2026-01-08", "last": "2026-01-14", "regular": "7.67", "overtime": "0.00",
                          "gross": "153.40"},  # 460 min
            ],
        )  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO payroll_results (period_id, employee_code, pay_type, hourly_rate, overtime_eligible, "
                "paid_days, regular_hours, overtime_hours, gross_pay, run_id, computed_at) VALUES (:period_id, "
                ":employee_code, :pay_type, :hourly_rate, :overtime_eligible, 14, 47.67, 0.42, 966.00, 'r1', :now)"
            ),
            common | {"now": NOW},
        )

    migrate(engine)
    with engine.connect() as connection:
        rates = connection.execute(
            sa.text("SELECT regular_minutes, overtime_minutes FROM payroll_result_rates ORDER BY first_day")
        ).all()
        result = connection.execute(sa.text("SELECT regular_minutes, overtime_minutes FROM payroll_results")).one()
    assert [tuple(rate) for rate in rates] == [(2400, 25), (460, 0)]
    assert tuple(result) == (2860, 25)

    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0020")
    for table in ("payroll_results", "payroll_result_rates"):
        assert not {"regular_minutes", "overtime_minutes"} & columns(engine, table)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT gross_pay FROM payroll_results")).scalar_one() == 966
