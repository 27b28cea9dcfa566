"""What a notification may say: integer counts, one scrubbed line of the error, the partition or range."""

import dagster as dg

from hr_assets.defs.alerts import messages


def test_only_integer_counts_are_shown_and_a_number_as_long_as_an_account_is_masked() -> None:
    metadata = {
        "employees_created": dg.MetadataValue.int(3),
        "rows": dg.MetadataValue.int(12),
        "employee_name": dg.MetadataValue.text("Smith, Ann"),  # not a count
        "staff": dg.MetadataValue.text("38"),  # text, not a count
        "gross_pay": dg.MetadataValue.float(4210.50),  # an amount: a float the UI plots, never a count
        "current_table_updated": dg.MetadataValue.bool(True),
        "routing": dg.MetadataValue.int(123456789),  # no count has nine digits
        "invalid_rows": dg.MetadataValue.table([dg.TableRecord({"row": 7})]),  # rows a person reads
        "dagster/row_count": dg.MetadataValue.int(4000),  # the table's size, not the run's count
    }
    assert messages.counts(metadata) == {"employees_created": 3, "rows": 12, "routing": "[number]"}


def test_an_error_is_one_clipped_line_with_numbers_emails_and_urls_masked() -> None:
    error = (
        "Holded answered 400: account 012345678 / 99887766554 of ann.smith@example.com\n"
        "rejected by https://hooks.example/services/T/B/secret " + "x" * 400
    )
    line = messages.scrubbed_error(error)
    assert "\n" not in line and len(line) == messages.ERROR_LIMIT
    assert line.startswith("Holded answered 400: account [number] / [number] of [email] rejected by [url] xxx")
    assert messages.scrubbed_error("week 2026-11-20, row 7") == "week 2026-11-20, row 7"


def test_an_exception_reads_without_its_module_path() -> None:
    failure = "dagster._core.definitions.events.Failure: No Paycom report was pushed"
    assert messages.readable_error("Failure", failure) == "No Paycom report was pushed"
    assert messages.readable_error("ApiError", "hr_assets.lib.http.ApiError: Holded answered 401: bad key") == (
        "ApiError: Holded answered 401: bad key"
    )
    assert messages.readable_error("ValueError", "ValueError: bad") == "ValueError: bad"


def test_the_partition_is_the_key_or_the_range_of_a_single_run_backfill() -> None:
    assert messages.partition_label({"dagster/partition": "2026-11-01"}) == "2026-11-01"
    range_tags = {
        "dagster/asset_partition_range_start": "2026-01-01",
        "dagster/asset_partition_range_end": "2026-03-01",
    }
    assert messages.partition_label(range_tags) == "2026-01-01 to 2026-03-01"
    assert messages.partition_label({}) is None


def test_a_failure_without_a_step_error_still_says_where_to_look() -> None:
    text = messages.failure_text("revenue_chain", "2026-10-01", [], None)
    assert text.splitlines() == [
        "hr_assets: revenue_chain failed for 2026-10-01",
        "Error: the run failed; see its logs",
        "Next step: " + messages.NEXT_STEPS["revenue_chain"],
    ]


NO_RETRIES_LEFT = (
    "advline: 3 records have no retries left; fix their cause, then hr-assets bayzat retry-failed --company advline"
)


def test_what_needs_attention_after_a_push_that_succeeded() -> None:
    pushed = {"bayzat_sync_batches": {"due": 200, "synced": 180, "rejected": 8, "retry_scheduled": 9,
                                      "retries_exhausted": 3}}  # fmt: skip
    assert messages.needs_attention("advline", pushed, 0.05) == [
        "advline: 20 of 200 records failed (10%, over 5%); see the failed records on the bayzat_sync_batches page, "
        "then hr-assets bayzat retry-failed --company advline",
        NO_RETRIES_LEFT,
    ]
    assert messages.needs_attention("advline", pushed, 0.10) == [  # 10% is not over 10%
        NO_RETRIES_LEFT
    ]
    assert messages.needs_attention("advline", {"bayzat_sync_batches": {"due": 0, "rejected": 0}}, 0.05) == []
    assert messages.needs_attention(None, {"paycom_employees": {"rows_invalid": 50}}, 0.05) == []


def test_a_run_of_many_companies_names_each_company_that_needs_attention() -> None:
    pushed = {
        "bayzat_sync_batches advline": {"due": 200, "synced": 197, "retries_exhausted": 3},
        "bayzat_sync_batches gulfco": {"due": 100, "synced": 100},
    }
    assert messages.needs_attention("advline..gulfco", pushed, 0.05) == [NO_RETRIES_LEFT]
