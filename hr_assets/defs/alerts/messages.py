"""The text of a sync run's notification: what ran, for which partition, its counts, and on failure the error
and the next step.

A message is built only from the job's name, the partition key, the integer counts of its materializations and
one scrubbed line of the error, never from metadata as a whole, so no personal data or secret can reach the channel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import dagster as dg

# The jobs that notify, each with what a person does when it fails. Notifying one more job is one line here.
NEXT_STEPS = {
    "paycom_sync": (
        "check the SFTP account with `hr-assets paycom test-connection`, then re-execute the run from the UI"
    ),
    "revenue_chain": "read the failed step's log in the UI, fix the cause, then re-execute the run from its page",
    "attendance_import": "fix the file and put it in the attendance inbox again (a new content is imported once)",
    "bayzat_push": (
        "see `hr-assets bayzat list`: a refused key needs `hr-assets bayzat configure`, "
        "failed records `hr-assets bayzat retry-failed`"
    ),
    "payroll_run": "read the period's reason in the run's log, fix the pay data or the period, then re-execute the run",
}

ERROR_LIMIT = 300
_LONG_NUMBER = re.compile(r"\d{8,}")  # bank routing (9 digits) and account numbers (10 to 12), phone numbers
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")


def counts(metadata: Mapping[str, dg.MetadataValue]) -> dict[str, int | str]:
    """One materialization's counts, in the order the asset reported them: its integer metadata, since the platform
    keeps integers in metadata for counts alone (names, files and amounts are text or tables). A number as long as
    an account number is masked all the same."""
    return {
        name: "[number]" if _LONG_NUMBER.fullmatch(str(value.value)) else value.value
        for name, value in metadata.items()
        if isinstance(value, dg.IntMetadataValue) and value.value is not None and not name.startswith("dagster/")
    }


def partition_label(tags: Mapping[str, str]) -> str | None:
    """The run's partition, or its range when one run covered several."""
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    return f"{start} to {end}" if start and end else None


def scrubbed_error(message: str) -> str:
    """One line of an error, clipped, with anything shaped like an account number, an email or a URL masked.

    The platform's errors carry no personal data by design; this guards against a vendor's answer that does.
    """
    line = " ".join(message.split())
    line = _URL.sub("[url]", _EMAIL.sub("[email]", _LONG_NUMBER.sub("[number]", line)))
    return line if len(line) <= ERROR_LIMIT else line[: ERROR_LIMIT - 1] + "…"


def readable_error(cls_name: str | None, message: str) -> str:
    """An exception's message without its module path: a ``Failure``'s description alone, others after their
    class name (``ValueError: ...``)."""
    head, separator, rest = message.partition(": ")
    if not separator or cls_name is None or head.rsplit(".", 1)[-1] != cls_name:
        return message
    return rest if cls_name == "Failure" else f"{cls_name}: {rest}"


def _heading(job_name: str, outcome: str, partition: str | None) -> str:
    return f"hr_assets: {job_name} {outcome}" + (f" for {partition}" if partition else "")


def _run_link(run_url: str | None) -> list[str]:
    return [f"Run: {run_url}"] if run_url else []


def needs_attention(
    partition: str | None, asset_counts: Mapping[str, Mapping[str, int | str]], failure_rate: float
) -> list[str]:
    """What a person must act on after a run that succeeded: a company's push that failed more than
    ``failure_rate`` of its due records, and records whose retries are spent (they will not be sent again). In a run
    of many companies each push is labelled with its company (``bayzat_sync_batches advline``)."""
    lines = []
    for label, pushed in asset_counts.items():
        asset, _, company = label.partition(" ")
        if asset == "bayzat_sync_batches":
            lines += _push_attention(company or partition or "the company", pushed, failure_rate)
    return lines


def _push_attention(company: str, pushed: Mapping[str, int | str], failure_rate: float) -> list[str]:
    number = {name: value for name, value in pushed.items() if isinstance(value, int)}
    due = number.get("due", 0)
    failed = sum(number.get(name, 0) for name in ("rejected", "retry_scheduled", "retries_exhausted"))
    retry = f"hr-assets bayzat retry-failed --company {company}"
    lines = []
    if due and failed / due > failure_rate:
        lines.append(
            f"{company}: {failed} of {due} records failed ({failed / due:.0%}, over {failure_rate:.0%}); "
            f"see the failed records on the bayzat_sync_batches page, then {retry}"
        )
    if exhausted := number.get("retries_exhausted", 0):
        lines.append(f"{company}: {exhausted} records have no retries left; fix their cause, then {retry}")
    return lines


def success_text(
    job_name: str,
    partition: str | None,
    asset_counts: Mapping[str, Mapping[str, int | str]],
    run_url: str | None,
    attention: list[str] | None = None,
) -> str:
    outcome = "succeeded, needs attention" if attention else "succeeded"
    lines = [_heading(job_name, outcome, partition)]
    for asset, numbers in asset_counts.items():
        shown = ", ".join(f"{name} {number}" for name, number in numbers.items())
        lines.append(f"• {asset}: {shown or 'done'}")
    lines += [f"Attention: {line}" for line in attention or []]
    return "\n".join(lines + _run_link(run_url))


def failure_text(job_name: str, partition: str | None, errors: list[str], run_url: str | None) -> str:
    lines = [_heading(job_name, "failed", partition)]
    lines += [f"Error: {scrubbed_error(error)}" for error in errors] or ["Error: the run failed; see its logs"]
    lines.append(f"Next step: {NEXT_STEPS.get(job_name, 'read the run’s logs in the UI')}")
    return "\n".join(lines + _run_link(run_url))
