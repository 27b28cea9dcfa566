"""Attendance records as Bayzat's records, and grouped into requests."""

from __future__ import annotations

import datetime as dt

import pytest

from hr_assets.defs.bayzat.transform import Punches, bayzat_records, chunks, punch_count

DAY = dt.date(2024, 5, 1)


def punches(
    record_id: int = 1,
    check_in: dt.time | None = dt.time(9, 0),
    check_out: dt.time | None = dt.time(17, 30),
    emp_id: str = "0042",
) -> Punches:
    return Punches(record_id, emp_id, DAY, check_in, check_out)


def one_punch(record_id: int) -> Punches:
    return punches(record_id, check_out=None)


# --- bayzat_records ------------------------------------------------------------------------------


def test_a_day_gives_a_check_in_and_a_check_out_with_the_emp_id_as_a_string() -> None:
    assert bayzat_records(punches()) == [
        {"empId": "0042", "type": "checkIn", "time": "2024-05-01 09:00:00"},
        {"empId": "0042", "type": "checkOut", "time": "2024-05-01 17:30:00"},
    ]


@pytest.mark.parametrize(
    ("check_in", "check_out"),
    [
        (dt.time(9, 0), dt.time(17, 30)),
        (dt.time(9, 0), None),
        (None, dt.time(17, 30)),
        (None, None),
        (dt.time(9, 0), dt.time(9, 0)),
        (dt.time(22, 0), dt.time(6, 0)),
    ],
)
def test_punch_count_is_the_number_of_bayzat_records(check_in: dt.time | None, check_out: dt.time | None) -> None:
    record = punches(check_in=check_in, check_out=check_out)
    assert punch_count(record) == len(bayzat_records(record))


def test_leading_zeros_are_kept() -> None:
    assert {record["empId"] for record in bayzat_records(punches(emp_id="000123"))} == {"000123"}


def test_a_check_out_before_the_check_in_ends_a_night_shift_on_the_next_day() -> None:
    records = bayzat_records(punches(check_in=dt.time(22, 15, 5), check_out=dt.time(6, 0)))

    assert [(record["type"], record["time"]) for record in records] == [
        ("checkIn", "2024-05-01 22:15:05"),
        ("checkOut", "2024-05-02 06:00:00"),
    ]


def test_a_night_shift_across_the_end_of_the_month_and_year() -> None:
    record = Punches(1, "7", dt.date(2024, 12, 31), dt.time(23, 0), dt.time(7, 0))

    assert bayzat_records(record)[1]["time"] == "2025-01-01 07:00:00"


def test_one_punch_that_is_both_check_in_and_check_out_is_sent_once_as_a_check_in() -> None:
    assert bayzat_records(punches(check_in=dt.time(8, 0), check_out=dt.time(8, 0))) == [
        {"empId": "0042", "type": "checkIn", "time": "2024-05-01 08:00:00"}
    ]


def test_only_a_check_in() -> None:
    assert [record["type"] for record in bayzat_records(punches(check_out=None))] == ["checkIn"]


def test_only_a_check_out_stays_on_its_day() -> None:
    assert bayzat_records(punches(check_in=None, check_out=dt.time(3, 0))) == [
        {"empId": "0042", "type": "checkOut", "time": "2024-05-01 03:00:00"}
    ]


def test_no_punches_give_no_records() -> None:
    assert bayzat_records(punches(check_in=None, check_out=None)) == []


def test_the_time_carries_no_offset_even_from_an_aware_time() -> None:
    aware = dt.time(9, 0, tzinfo=dt.timezone(dt.timedelta(hours=4)))

    assert bayzat_records(punches(check_in=aware, check_out=None))[0]["time"] == "2024-05-01 09:00:00"


# --- chunks --------------------------------------------------------------------------------------


def sizes(groups: list[list[Punches]]) -> list[int]:
    return [sum(len(bayzat_records(record)) for record in group) for group in groups]


@pytest.mark.parametrize(("records", "expected"), [(19, [19]), (20, [20]), (21, [20, 1]), (41, [20, 20, 1])])
def test_one_punch_records_fill_requests_of_at_most_twenty(records: int, expected: list[int]) -> None:
    attendance = [one_punch(record_id) for record_id in range(records)]
    groups = chunks(attendance)

    assert sizes(groups) == expected
    assert [record for group in groups for record in group] == attendance  # consecutive, in order


def test_a_two_punch_record_that_would_straddle_starts_the_next_request() -> None:
    attendance = [one_punch(record_id) for record_id in range(19)] + [punches(19), one_punch(20)]
    groups = chunks(attendance)

    assert sizes(groups) == [19, 3]
    assert groups[1][0] == punches(19)


def test_ten_two_punch_records_fill_one_request_exactly() -> None:
    attendance = [punches(record_id) for record_id in range(11)]

    assert sizes(chunks(attendance)) == [20, 2]


def test_records_without_punches_are_left_out() -> None:
    empty = punches(2, check_in=None, check_out=None)
    groups = chunks([punches(1), empty, punches(3)])

    assert groups == [[punches(1), punches(3)]]
    assert chunks([empty]) == []


def test_a_smaller_limit_is_honoured_and_a_limit_below_two_refused() -> None:
    assert sizes(chunks([punches(record_id) for record_id in range(3)], max_records=4)) == [4, 2]
    with pytest.raises(ValueError, match="both punches"):
        chunks([one_punch(1)], max_records=1)
