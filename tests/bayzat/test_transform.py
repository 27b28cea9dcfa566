"""Attendance records as Bayzat's records, grouped into requests, and Bayzat's 400 answers read per record."""

from __future__ import annotations

import datetime as dt

import pytest

from hr_assets.defs.bayzat.answers import Rejection, Rejections, read_rejections
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


# --- read_rejections -----------------------------------------------------------------------------


def sent(count: int) -> list[dict[str, str]]:
    return [{"empId": str(n), "type": "checkIn", "time": f"2026-03-02 08:0{n}:00"} for n in range(count)]


def rejected_records(body: object, count: int, status: int = 400) -> dict[int, Rejection]:
    rejections = read_rejections(status, body, "Bayzat answered 400: Validation failed", sent(count))
    assert (rejections.unmapped is None) == bool(rejections.by_index)
    return rejections.by_index


def test_a_validation_answer_maps_request_indexes_to_rejections() -> None:
    body = {
        "success": False,
        "message": "Validation failed",
        "errors": [
            {"index": 0, "empId": "1", "code": "DUPLICATE_RECORD", "message": "Attendance record already exists"},
            {"index": 2, "empId": "9", "code": "EMPLOYEE_NOT_FOUND", "message": "Employee 9 not found"},
        ],
    }

    rejected = rejected_records(body, 3)

    assert rejected == {
        0: Rejection("DUPLICATE_RECORD", "Attendance record already exists"),
        2: Rejection("EMPLOYEE_NOT_FOUND", "Employee 9 not found"),
    }
    assert rejected[0].already_exists and not rejected[2].already_exists


def test_errors_naming_records_by_employee_type_and_time_are_mapped_to_them() -> None:
    records = sent(3) + [{"empId": "1", "type": "checkOut", "time": "2026-03-02 08:01:00"}]
    errors = [
        {"empId": "1", "type": "checkOut", "time": "2026-03-02 08:01:00", "code": "DUPLICATE_RECORD"},
        {"empId": "2", "time": "2026-03-02 08:02:00", "message": "Attendance record already exists"},
    ]

    rejections = read_rejections(400, {"errors": errors}, "Validation failed", records)

    assert rejections.by_index == {
        3: Rejection("DUPLICATE_RECORD", "DUPLICATE_RECORD"),
        2: Rejection("", "Attendance record already exists"),
    }
    assert rejections.unmapped is None and all(r.already_exists for r in rejections.by_index.values())


@pytest.mark.parametrize(
    "body",
    [{"success": False, "message": "records must be a list"}, {"errors": "nope"}, None, "<html>", [1, 2]],
)
def test_a_body_without_per_record_errors_is_unmapped_with_the_answers_message(body: object) -> None:
    rejections = read_rejections(400, body, "Bayzat answered 400: Validation failed", sent(5))

    assert rejections == Rejections({}, Rejection("", "Bayzat answered 400: Validation failed"))
    assert not rejections.unmapped.already_exists


def test_a_409_naming_no_record_means_already_exists() -> None:
    rejections = read_rejections(
        409, {"success": False, "message": "Conflict"}, "Bayzat answered 409: Conflict", sent(2)
    )

    assert rejections.by_index == {} and rejections.unmapped.already_exists


@pytest.mark.parametrize(
    "error",
    [
        *({"index": i, "code": "INVALID_RECORD", "message": "bad"} for i in (-1, 2, "1", True, None)),
        {"index": 1.0, "code": "INVALID_RECORD"},
        "not an error object",
        {"empId": "7", "time": "2026-03-02 08:00:00", "code": "DUPLICATE_RECORD"},  # no such record sent
        {"empId": "0", "type": "checkOut", "time": "2026-03-02 08:00:00", "code": "DUPLICATE_RECORD"},
    ],
)
def test_an_error_that_names_no_record_of_the_request_makes_the_answer_unmapped(error: object) -> None:
    body = {"errors": [{"index": 0, "code": "DUPLICATE_RECORD"}, error]}

    rejections = read_rejections(400, body, "Bayzat answered 400: Validation failed", sent(2))

    assert rejections.by_index == {} and rejections.unmapped is not None


def test_a_message_saying_the_record_exists_counts_as_already_exists() -> None:
    rejection = rejected_records({"errors": [{"index": 0, "message": "Attendance record ALREADY EXISTS"}]}, 1)[0]

    assert rejection.already_exists and rejection.code == ""
    assert not Rejection("INVALID_RECORD", "type must be checkIn or checkOut").already_exists


def test_a_real_failure_outweighs_already_exists_for_the_same_record() -> None:
    errors = [
        {"index": 0, "code": "DUPLICATE_RECORD", "message": "Attendance record already exists"},
        {"index": 0, "code": "INVALID_RECORD", "message": "type must be checkIn or checkOut"},
        {"index": 0, "code": "DUPLICATE_RECORD", "message": "Attendance record already exists"},
    ]

    assert rejected_records({"errors": errors}, 1) == {0: Rejection("INVALID_RECORD", errors[1]["message"])}


def test_a_rejection_without_a_message_is_named_by_its_code() -> None:
    assert rejected_records({"errors": [{"index": 0, "code": "EMPLOYEE_NOT_FOUND"}]}, 1)[0].message == (
        "EMPLOYEE_NOT_FOUND"
    )
