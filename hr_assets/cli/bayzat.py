"""``hr-assets bayzat``: each company's Bayzat account, and pushes by hand.

An API key is never taken from the command line (shell history, ``ps``): it is read from the environment
variable named by ``--api-key-env`` (default ``BAYZAT_API_KEY``), else from standard input (a hidden prompt
at a terminal). It is stored encrypted with ``HR_SECRET_KEY`` and shown masked, if at all.
"""

import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import click

from hr_assets.cli.jobs import ASYNC_OPTION, IN_PROCESS_OPTION, queue_job, run_job, ui_url
from hr_assets.cli.output import json_option, print_lines, print_rows
from hr_assets.cli.warehouse import audited, running_command, warehouse
from hr_assets.defs.bayzat import configs, store
from hr_assets.defs.bayzat import retry_failed as retrying
from hr_assets.defs.bayzat.configs import SYNC_FREQUENCIES
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.schedules import company_stretches, company_tags
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import all_companies, company_by_slug
from hr_assets.defs.shared.partitions import bayzat_company_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.runs import add_dynamic_partition, the_instance
from hr_assets.lib.secrets import masked


@click.group()
def bayzat() -> None:
    """Bayzat accounts and attendance pushes."""


def _read_api_key(env_name: str) -> str:
    key = os.environ.get(env_name)
    if key is None:
        if sys.stdin.isatty():
            key = click.prompt("Bayzat API key", hide_input=True)
        else:
            key = sys.stdin.readline()
    key = key.strip()
    if not key:
        raise click.UsageError(f"no API key: set {env_name} or pass the key on standard input")
    return key


@bayzat.command("configure")
@click.option("--company", "slug", required=True, help="The company's slug.")
@click.option("--api-key-env", default="BAYZAT_API_KEY", show_default=True, help="Environment variable with the key.")
@click.option("--api-url", help="Default BAYZAT_DEFAULT_API_URL.")
@click.option(
    "--sync-frequency",
    type=click.Choice(configs.SYNC_FREQUENCIES),
    default="manual",
    show_default=True,
    help="manual: pushed when a person asks; hourly: after each import and every hour; daily: once a day.",
)
@click.option("--disabled", is_flag=True, help="Store the account but push nothing for it.")
@click.option("--skip-test", is_flag=True, help="Save without asking Bayzat whether the key is valid.")
def configure(
    slug: str, api_key_env: str, api_url: str | None, sync_frequency: str, disabled: bool, skip_test: bool
) -> None:
    """Set a company's Bayzat API key and settings (the key is checked with Bayzat first)."""
    bayzat = BayzatResource.for_command()
    secret_key = bayzat.key()  # without it nothing can be stored: say so before asking for the key
    api_key = _read_api_key(api_key_env)
    engine = warehouse()
    with engine.connect() as connection:
        company = company_by_slug(connection, slug)
    account = configs.BayzatAccount(
        company_id=company["id"],
        slug=slug,
        timezone=company["timezone"],
        api_url=api_url or bayzat.default_api_url,
        api_key=api_key,
        is_enabled=not disabled,
        needs_new_key=False,
        sync_frequency=sync_frequency,
    )
    if not skip_test:
        problem = bayzat.test_connection(account)
        if problem is not None:
            raise click.ClickException(f"not saved: {problem}")
    now = Clock().now()
    with engine.begin() as connection:
        previous = configs.account(connection, slug, secret_key)
        configs.save_config(
            connection,
            company_id=company["id"],
            api_key=api_key,
            api_url=account.api_url,
            is_enabled=account.is_enabled,
            sync_frequency=sync_frequency,
            now=now,
            secret_key=secret_key,
        )
        audited(
            connection,
            action="bayzat.account",
            target=f"company {slug}",
            now=now,
            old=_audited_account(previous) if previous else None,
            new=_audited_account(account),
        )
    add_dynamic_partition(bayzat_company_partitions, slug)
    click.echo(f"Saved {slug}'s Bayzat account (key {masked(api_key)}, {sync_frequency}, {account.api_url})")


def _audited_account(account: configs.BayzatAccount) -> dict[str, object]:
    """The settings an audit entry shows; the key is masked by the audit log."""
    return {
        "api_url": account.api_url,
        "api_key": account.api_key,
        "is_enabled": account.is_enabled,
        "sync_frequency": account.sync_frequency,
    }


LIST_COLUMNS = ("slug", "api_key", "api_url", "is_enabled", "needs_new_key", "sync_frequency", "last_sync_at")


@bayzat.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Each company's Bayzat account, the key masked."""
    secret_key = BayzatResource.for_command().key()
    with warehouse().connect() as connection:
        rows = configs.overview(connection, secret_key)
    empty = "No Bayzat accounts yet (hr-assets bayzat configure)."
    print_lines(rows, LIST_COLUMNS, as_json=as_json, empty=empty, line=_account_line)


def _account_line(row: Mapping[str, Any]) -> str:
    state = "needs a new key" if row["needs_new_key"] else ("enabled" if row["is_enabled"] else "disabled")
    last = row["last_sync_at"].isoformat(timespec="seconds") if row["last_sync_at"] else "never"
    return f"{row['slug']:<20} key {row['api_key']:<10} {state:<16} {row['sync_frequency']:<7} last push {last}"


@bayzat.command("test-connection")
@click.option("--company", "slug", required=True)
def test_connection(slug: str) -> None:
    """Ask Bayzat whether the company's stored key is valid (nothing is sent)."""
    bayzat = BayzatResource.for_command()
    account = _account(bayzat, slug)
    problem = bayzat.test_connection(account)
    if problem is not None:
        raise click.ClickException(problem)
    click.echo(f"{slug}: Bayzat accepts the key {masked(account.api_key)} at {account.api_url}")


def _account(bayzat: BayzatResource, slug: str) -> configs.BayzatAccount:
    """The company's account, or the one line saying the company has none and how to give it one."""
    secret_key = bayzat.key()
    with warehouse().connect() as connection:
        company_by_slug(connection, slug)  # an unknown company is its own error
        account = configs.account(connection, slug, secret_key)
    if account is None:
        raise click.ClickException(
            f"{slug} has no Bayzat account: configure one with hr-assets bayzat configure --company {slug}"
        )
    return account


# A push's counts as its summary line shows them: each due record in one of the fates after ``due`` (they add up to
# it), then the punches whose answer could not be read; those always shown first, the others when not zero.
_PUSH_COUNTS = (
    "due",
    "synced",
    "already_in_bayzat",
    "rejected",
    "retry_scheduled",
    "retries_exhausted",
    "not_sent",
    "skipped_without_punches",
    "answers_unread",
)
_ALWAYS_SHOWN = ("due", "synced", "already_in_bayzat", "rejected", "retry_scheduled")


def _push(slugs: Sequence[str], in_background: bool = False) -> None:
    """Push the companies, all at once: one run for each stretch of consecutive company partitions."""
    with the_instance() as instance:
        stretches = company_stretches(instance, slugs)
    for first, last in stretches:
        label = first if first == last else f"{first}..{last}"
        if in_background:
            run_id = queue_job("bayzat_push", first, last_partition_key=last, tags=company_tags(first, last))
            click.echo(f"Queued run {run_id} for {label}: {ui_url().rstrip('/')}/runs/{run_id}")
            continue
        outcome = run_job("bayzat_push", first, last_partition_key=last, tags=company_tags(first, last))
        pushed = outcome.partition_materializations.get("bayzat_sync_batches", {})
        for slug, summary in sorted(pushed.items()):  # Dagster records the companies in no fixed order
            counts = [key for key in _PUSH_COUNTS if key in _ALWAYS_SHOWN or summary.get(key)]
            click.echo(
                f"Run {outcome.run_id} for {slug}: succeeded; "
                + ", ".join(f"{key} {summary.get(key)}" for key in counts)
            )


@bayzat.command("push")
@click.option("--company", "slugs", multiple=True, help="A company to push; repeat it for several.")
@click.option("--all", "every", is_flag=True, help="Every enabled company with a working key, manual ones too.")
@ASYNC_OPTION
@IN_PROCESS_OPTION
def push(slugs: tuple[str, ...], every: bool, in_background: bool) -> None:
    """Push the companies' due records now, all at once in one run through the run queue (it shows in the UI),
    each company at its own key's rate limit."""
    if bool(slugs) == every:
        raise click.UsageError("give --company S (one or more) or --all")
    bayzat = BayzatResource.for_command()
    if every:
        bayzat.key()
        with warehouse().connect() as connection:
            slugs = tuple(slug for slug, _ in configs.slugs_with_ids(connection))
        if not slugs:
            raise click.ClickException("no company has an enabled Bayzat account with a working key")
    for slug in () if every else slugs:
        _account(bayzat, slug)
    _push(slugs, in_background)


@bayzat.command("retry-failed")
@click.option("--company", "slug", help="Only this company's failed records.")
@click.option("--import", "import_id", type=int, help="Only the failed records of this attendance import (its id).")
@click.option("--batch", "batch_id", type=int, help="Only the failed records of this push batch (its id).")
@IN_PROCESS_OPTION
def retry_failed(slug: str | None, import_id: int | None, batch_id: int | None) -> None:
    """Give failed records a fresh retry budget and push their companies now."""
    BayzatResource.for_command().check()  # the pushes need the key: say so before changing any record
    now = Clock().now()
    with warehouse().begin() as connection:
        count, _ = retrying.retry_failed(
            connection, now=now, command=running_command(), slug=slug, import_id=import_id, batch_id=batch_id
        )
        slugs = retrying.companies_due(connection, now)
    click.echo(f"{count} failed record(s) set to be sent again")
    if count and slugs:
        _push(slugs)


@bayzat.command("set")
@click.option("--company", "slug", required=True)
@click.option("--sync-frequency", type=click.Choice(SYNC_FREQUENCIES), help="How often the schedule pushes it.")
@click.option("--enabled/--disabled", default=None, help="Turn its pushes on or off.")
def set_(slug: str, sync_frequency: str | None, enabled: bool | None) -> None:
    """Change a company's push settings without typing its key again."""
    if sync_frequency is None and enabled is None:
        raise click.UsageError("give --sync-frequency, --enabled or --disabled")
    now = Clock().now()
    with warehouse().begin() as connection:
        company = company_by_slug(connection, slug)
        if not attendance_pushes.has_config(connection, company["id"]):
            raise click.ClickException(
                f"{slug} has no Bayzat account: configure one with hr-assets bayzat configure --company {slug}"
            )
        old, new = configs.change_settings(
            connection, company["id"], now, sync_frequency=sync_frequency, is_enabled=enabled
        )
        if new:
            audited(connection, action="bayzat.settings", target=f"company {slug}", now=now, old=old, new=new)
    changed = ", ".join(f"{name} {old[name]} -> {value}" for name, value in new.items())
    click.echo(f"{slug}: {changed}" if new else f"{slug}: nothing to change")


@bayzat.command("status")
@click.option("--company", "slug", help="Only this company.")
@json_option
def status(slug: str | None, as_json: bool) -> None:
    """Each company's records by push status, its failure rate and its last push."""
    with warehouse().connect() as connection:
        counts = store.company_status(connection)
        last_push = {row["company_id"]: row["last_sync_at"] for row in configs.last_pushes(connection)}
        companies = [c for c in all_companies(connection) if slug in (None, c["slug"])]
        if slug and not companies:
            company_by_slug(connection, slug)  # the one-line error for an unknown company
    rows = [
        {"company": c["slug"], **{name: counts.get(c["id"], Counter())[name] for name in attendance_pushes.STATUSES}}
        | {
            "failure_rate": f"{store.failure_rate(counts.get(c['id'], Counter())):.1%}",
            "last_push": last_push.get(c["id"]),
        }
        for c in companies
    ]
    columns = ("company", *attendance_pushes.STATUSES, "failure_rate", "last_push")
    print_rows(rows, columns, as_json=as_json, empty="No companies yet (hr-assets companies add).")


@bayzat.command("failed")
@click.option("--company", "slug", help="Only this company.")
@click.option("--import", "import_id", type=int, help="Only this attendance import (its id).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@json_option
def failed(slug: str | None, import_id: int | None, limit: int, as_json: bool) -> None:
    """The failed records that need attention: employee code, date, import, batch, reason and retries left."""
    bayzat = BayzatResource.for_command()
    with warehouse().connect() as connection:
        company_id = company_by_slug(connection, slug)["id"] if slug else None
        slugs = {company["id"]: company["slug"] for company in all_companies(connection)}
        rows = store.failed_records(
            connection,
            company_id=company_id,
            import_id=import_id,
            retry_attempts=bayzat.max_retry_attempts,
            limit=limit,
        )
    for row in rows:
        row["company"] = slugs.get(row.pop("company_id"), "-")
    columns = ("company", "employee_code", "date", "import_id", "batch_id", "retries_left", "reason")
    print_rows(rows, columns, as_json=as_json, empty="No failed records.")
