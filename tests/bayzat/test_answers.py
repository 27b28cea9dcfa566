"""Bayzat's answers read record by record, in every shape: what each says of each record, and what it cannot say."""

from __future__ import annotations

import pytest

from hr_assets.defs.bayzat.answers import DUPLICATE_PHRASES, DuplicateWording, Verdict, read_answer

WORDING = DuplicateWording()
STORED, UNSENT = Verdict("stored"), Verdict("unsent")


def sent(count: int) -> list[dict[str, str]]:
    """checkIns of employees E7200, E7201, ... at 08:40, 08:41, ..."""
    return [{"empId": f"E72{n:02d}", "type": "checkIn", "time": f"2026-11-02 08:4{n}:00"} for n in range(count)]


def read(status: int, body: object, count: int = 3, wording: DuplicateWording = WORDING) -> list[Verdict]:
    return read_answer(status, body, sent(count), wording)


def fates(verdicts: list[Verdict]) -> list[str]:
    return [verdict.fate for verdict in verdicts]


# --- 200 -------------------------------------------------------------------------------------------------


def test_the_documented_success_stores_every_record() -> None:
    assert read(200, {"success": True}) == [STORED] * 3


def test_a_per_record_result_list_settles_each_record_by_its_own_entry() -> None:
    body = [
        {"status": "created"},
        {"status": "duplicate"},
        {"status": "error", "message": "Employee E7202 not found"},
    ]

    assert read(200, body) == [STORED, Verdict("held", "duplicate"), Verdict("refused", "Employee E7202 not found")]


BY_INDEX = {
    "results": [
        {"index": 2, "status": "ok"},
        {"index": 0, "result": "already_exists"},
        {"index": 1, "success": False, "error": "bad"},
    ]
}
BY_RECORD = {
    "data": [
        {"empId": "E7202", "time": "2026-11-02 08:42:00", "status": "inserted"},
        {"empId": "E7200", "type": "checkIn", "time": "2026-11-02 08:40:00", "state": "DUPLICATE"},
        {"empId": "E7201", "time": "2026-11-02 08:41:00", "status": "failed", "reason": "bad"},
    ]
}
BY_POSITION = {"success": True, "records": ["Already recorded", {"success": False, "message": "bad"}, "created"]}


@pytest.mark.parametrize("body", [BY_INDEX, BY_RECORD, BY_POSITION])
def test_result_entries_are_matched_by_index_record_or_position(body: object) -> None:
    assert fates(read(200, body)) == ["held", "refused", "stored"]
    assert read(200, body)[1].reason == "bad"


def test_a_failed_entry_whose_words_say_duplicate_is_already_there() -> None:
    body = [{"status": "error", "message": "Attendance record exists"}, {"status": "skipped", "message": "Duplicate"}]

    assert fates(read(200, body, count=2)) == ["held", "held"]


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>OK</body></html>",
        "",
        None,
        {},
        {"status": "ok"},
        {"received": 3},
        [{"status": "created"}, {"status": "created"}],  # two entries for three records, none named
        [{"id": 1}, {"id": 2}, {"id": 3}],
        [{"index": 7, "status": "created"}],
    ],
)
def test_a_200_that_is_not_bayzats_success_proves_nothing(body: object) -> None:
    verdicts = read(200, body)

    assert fates(verdicts) == ["unknown"] * 3
    assert verdicts[0].reason.startswith("Bayzat answered 200: ")


def test_an_unreadable_entry_leaves_its_record_unknown_and_settles_the_others() -> None:
    body = [{"status": "created"}, {"status": "pending review"}, {"status": "error", "message": "bad"}]

    assert fates(read(200, body)) == ["stored", "unknown", "refused"]


def test_an_entry_success_claims_for_every_record_it_leaves_unread() -> None:
    body = {"success": True, "results": [{"id": 1}, {"status": "error", "message": "bad"}, {"id": 3}]}

    assert fates(read(200, body)) == ["stored", "refused", "stored"]


def test_a_200_listing_errors_settles_what_they_name_and_proves_nothing_of_the_rest() -> None:
    body = {"success": True, "errors": [{"index": 1, "message": "Employee E7201 not found"}]}

    assert fates(read(200, body)) == ["unknown", "refused", "unknown"]


def test_a_200_saying_success_false_is_read_as_a_rejection() -> None:
    body = {"success": False, "errors": [{"index": 1, "message": "Attendance already exists"}]}

    assert read(200, body) == [UNSENT, Verdict("held", "Attendance already exists"), UNSENT]


def test_the_kept_answer_is_short() -> None:
    (verdict,) = read(200, "x" * 5000, count=1)

    assert verdict.fate == "unknown" and len(verdict.reason) < 600 and verdict.reason.endswith("...")


# --- rejections: errors by index, by record, by field path -----------------------------------------------


def test_errors_by_index_settle_the_records_they_name_and_the_rest_were_not_stored() -> None:
    body = {
        "success": False,
        "message": "Validation failed",
        "errors": [
            {"index": 0, "code": "DUPLICATE_RECORD", "message": "Attendance record already exists"},
            {"index": 2, "code": "EMPLOYEE_NOT_FOUND", "message": "Employee E7202 not found"},
        ],
    }

    assert read(400, body) == [
        Verdict("held", "Attendance record already exists"),
        UNSENT,
        Verdict("refused", "Employee E7202 not found"),
    ]


def test_errors_naming_records_by_employee_type_and_time_are_mapped_to_them() -> None:
    records = [*sent(3), {"empId": "E7201", "type": "checkOut", "time": "2026-11-02 17:01:00"}]
    errors = [
        {"empId": "E7201", "type": "checkOut", "time": "2026-11-02 17:01:00", "code": "DUPLICATE_RECORD"},
        {"empId": "E7202", "time": "2026-11-02 08:42:00", "message": "Attendance record already exists"},
    ]

    verdicts = read_answer(400, {"errors": errors}, records, WORDING)

    assert fates(verdicts) == ["unsent", "unsent", "held", "held"]


def test_field_paths_name_records_by_index_with_each_ones_own_reason() -> None:
    body = {
        "message": "The given data was invalid.",
        "errors": {
            "records.3.time": ["Attendance record already exists."],
            "records.5.empId": ["The selected records.5.empId is invalid."],
            "records[1][type]": ["The records.1.type field is invalid.", "The records.1.type must be a string."],
        },
    }

    verdicts = read(422, body, count=6)

    assert fates(verdicts) == ["unsent", "refused", "unsent", "held", "unsent", "refused"]
    assert verdicts[5].reason == "The selected records.5.empId is invalid."
    assert verdicts[1].reason == "The records.1.type field is invalid.; The records.1.type must be a string."


def test_a_field_error_about_no_record_leaves_the_rest_unknown() -> None:
    body = {"errors": {"records.1.time": ["Attendance record already exists."], "records": ["Too many records."]}}

    assert fates(read(422, body)) == ["unknown", "held", "unknown"]


def test_a_real_failure_outweighs_already_exists_for_the_same_record() -> None:
    errors = [
        {"index": 0, "code": "DUPLICATE_RECORD", "message": "Attendance record already exists"},
        {"index": 0, "code": "INVALID_RECORD", "message": "type must be checkIn or checkOut"},
        {"index": 0, "code": "DUPLICATE_RECORD", "message": "Attendance record already exists"},
    ]

    assert read(400, {"errors": errors}, count=1) == [Verdict("refused", "type must be checkIn or checkOut")]


def test_a_rejection_without_a_message_is_named_by_its_code() -> None:
    verdicts = read(400, {"errors": [{"index": 0, "code": "EMPLOYEE_NOT_FOUND"}, {"index": 1, "code": "DUPLICATE"}]})

    assert verdicts[:2] == [Verdict("refused", "EMPLOYEE_NOT_FOUND"), Verdict("held", "DUPLICATE")]


@pytest.mark.parametrize(
    "error",
    [
        *({"index": i, "code": "INVALID_RECORD", "message": "bad"} for i in (-1, 3, "1", True)),
        {"index": 1.0, "code": "INVALID_RECORD"},
        "not an error object",
        {"empId": "E7299", "time": "2026-11-02 08:40:00", "code": "DUPLICATE_RECORD"},  # no such record sent
        {"empId": "E7200", "type": "checkOut", "time": "2026-11-02 08:40:00", "code": "DUPLICATE_RECORD"},
        {"code": "DUPLICATE_RECORD"},
    ],
)
def test_an_error_that_names_no_record_of_the_request_leaves_the_others_unknown(error: object) -> None:
    body = {"errors": [{"index": 0, "code": "DUPLICATE_RECORD"}, error]}

    assert fates(read(400, body)) == ["held", "unknown", "unknown"]


# --- rejections in words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (422, "Attendance already recorded for employee E7201 on 2026-11-02 08:41"),
        (400, {"message": "Attendance already recorded for employee E7201 on 2026-11-02 08:41"}),
        (400, {"message": "Duplicate punch: employee E7201 already has attendance at 2026-11-02 08:41:00"}),
        (400, {"error": "E7201 2026-11-02T08:41 exists"}),
        (400, {"errors": ["Record for E7201 at 2026-11-02 at 08:41 has already been taken."]}),
        (400, {"errors": [{"message": "Attendance already recorded for employee E7201 on 2026-11-02 08:41"}]}),
    ],
)  # fmt: skip
def test_free_text_naming_the_employee_and_time_settles_that_record(status: int, body: object) -> None:
    verdicts = read(status, body)

    assert fates(verdicts) == ["unsent", "held", "unsent"]


def test_each_sentence_settles_the_records_it_names() -> None:
    text = (
        "Attendance already recorded for employee E7200 on 2026-11-02 08:40.\n"
        "Employee E7202 is not active at 2026-11-02 08:42; nothing was stored"
    )

    verdicts = read(422, text)

    assert fates(verdicts) == ["held", "unknown", "refused"]  # "nothing was stored" names no record
    assert verdicts[2].reason == "Employee E7202 is not active at 2026-11-02 08:42"


@pytest.mark.parametrize(
    "text",
    [
        "Attendance already recorded for employee E72010 on 2026-11-02 08:41",  # another employee
        "Attendance already recorded for employee 7201 on 2026-11-02 08:41",
        "Attendance already recorded for employee E7201 on 2026-11-02",  # the day names both punches
        "Attendance already recorded for employee E7201 on 2026-11-02 08:41:30",
        "Attendance already recorded for employee E7201 on 2026-11-02 18:41",
        "Validation failed",
        "",
    ],
)
def test_free_text_that_names_no_record_exactly_leaves_every_record_unknown(text: str) -> None:
    assert fates(read(422, text)) == ["unknown"] * 3


def test_a_409_naming_no_record_leaves_a_chunk_unknown() -> None:
    assert fates(read(409, {"success": False, "message": "Attendance record already exists"})) == ["unknown"] * 3


# --- an answer about one record ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (409, {"message": "Attendance record already exists"}, Verdict("held", "Attendance record already exists")),
        (409, None, Verdict("held", "")),
        (409, "", Verdict("held", "")),
        (422, "Employee E7200 not found", Verdict("refused", "Employee E7200 not found")),
        (400, {"success": False, "message": "Validation failed"}, Verdict("refused", "Validation failed")),
        (422, {"message": "No.", "errors": {"records": ["Too odd."]}}, Verdict("refused", "Too odd.")),
        (422, {"errors": {"records": ["Attendance already recorded"]}}, Verdict("held", "Attendance already recorded")),
        (400, None, Verdict("refused", "Bayzat answered 400 without a reason")),
        (200, {"success": True}, STORED),
    ],
)  # fmt: skip
def test_an_answer_to_one_record_is_about_it_whatever_it_names(status: int, body: object, verdict: Verdict) -> None:
    assert read(status, body, count=1) == [verdict]


@pytest.mark.parametrize("body", ["<html>", {"status": "queued", "received": 1}, [{"status": "later"}]])
def test_a_200_about_one_record_that_says_nothing_leaves_it_unknown_with_the_answer_kept(body: object) -> None:
    (verdict,) = read(200, body, count=1)

    assert verdict.fate == "unknown" and verdict.reason.startswith("Bayzat answered 200: ")


# --- duplicate wording --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Attendance record already exists",
        "ALREADY EXISTS",
        "Attendance already recorded for employee E7202",
        "The time has already been taken.",
        "DUPLICATE_RECORD",
        "duplicate",
        "Duplicated punch",
        "already_exists",
        "record exists",
        "Record could not be saved: already exists",
    ],
)
def test_duplicate_wording_is_recognised_broadly(text: str) -> None:
    assert WORDING.says_duplicate(text)


@pytest.mark.parametrize(
    "text",
    [
        "Employee E7106 not found",
        "Employee does not exist",
        "Employee not exists",
        "Employee doesn't exists",
        "Employee no longer exists",
        "The selected records.5.empId is invalid.",
        "Validation failed",
        "",
    ],
)
def test_a_refusal_is_not_taken_for_a_duplicate(text: str) -> None:
    assert not WORDING.says_duplicate(text)


def test_a_deployment_adds_its_own_wording_to_the_phrases() -> None:
    wording = DuplicateWording(["Ya existe", "  déjà   ENREGISTRÉ "])
    body = {"errors": {"records.0.time": ["Registro ya existe."], "records.1.time": ["Pointage déjà enregistré"]}}

    assert not WORDING.says_duplicate("Registro ya existe")
    assert wording.says_duplicate("registro YA EXISTE") and wording.says_duplicate("Pointage déjà enregistré")
    assert set(DUPLICATE_PHRASES) < set(wording.phrases)
    assert fates(read(422, body, count=2, wording=wording)) == ["held", "held"]
    assert fates(read(422, body, count=2)) == ["refused", "refused"]
