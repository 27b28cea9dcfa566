"""``hr-assets companies``: the companies attendance is pushed for, and the device department of each."""

import click

from hr_assets.cli.warehouse import audited, warehouse
from hr_assets.defs.companies.store import DateFormat, add_company, all_companies, company_by_slug, set_date_format
from hr_assets.lib.clock import Clock

DATE_FORMAT_OPTION = click.option(
    "--date-format",
    type=click.Choice([*DateFormat, "auto"], case_sensitive=False),
    default="auto",
    show_default=True,
    help=(
        "How the device writes dates NN/NN/YYYY: DMY (day first), MDY (month first), ISO (never); auto lets each "
        "file settle it by a day over 12."
    ),
)


@click.group()
def companies() -> None:
    """Companies and the fingerprint department name that maps rows to each."""


@companies.command("add")
@click.option("--slug", required=True, help="Short name used everywhere else, e.g. advline.")
@click.option("--name-en", required=True, help="The company's name in English.")
@click.option("--name-ar", help="The company's name in Arabic.")
@click.option("--fingerprint-name", help='The department name the fingerprint device writes, e.g. "AdvLine".')
@click.option("--timezone", required=True, help="The company's IANA timezone, e.g. Asia/Dubai.")
@DATE_FORMAT_OPTION
def add(
    slug: str, name_en: str, name_ar: str | None, fingerprint_name: str | None, timezone: str, date_format: str
) -> None:
    """Add a company."""
    now = Clock().now()
    values = {
        "slug": slug,
        "name_en": name_en,
        "name_ar": name_ar,
        "fingerprint_report_name": fingerprint_name,
        "timezone": timezone,
        "date_format": _stored(date_format),
    }
    with warehouse().begin() as connection:
        add_company(connection, now=now, **values)
        audited(connection, action="company.add", target=f"company {slug}", now=now, new=values)
    click.echo(
        f"Added {slug}" + (f", mapped from fingerprint department {fingerprint_name!r}" if fingerprint_name else "")
    )


@companies.command("list")
def list_() -> None:
    """List the companies."""
    with warehouse().connect() as connection:
        rows = all_companies(connection)
    if not rows:
        click.echo("No companies yet (hr-assets companies add).")
    for row in rows:
        click.echo(
            f"{row['slug']:<20} {row['name_en']:<40} department {row['fingerprint_report_name'] or '-':<20} "
            f"{row['timezone']:<20} dates {row['date_format'] or 'auto'}"
        )


@companies.command("set")
@click.argument("slug")
@DATE_FORMAT_OPTION
def set_(slug: str, date_format: str) -> None:
    """Change a company's settings."""
    now = Clock().now()
    with warehouse().begin() as connection:
        old = company_by_slug(connection, slug)["date_format"]
        set_date_format(connection, slug, _stored(date_format), now)
        audited(
            connection,
            action="company.date_format",
            target=f"company {slug}",
            now=now,
            old={"date_format": old},
            new={"date_format": _stored(date_format)},
        )
    click.echo(f"{slug}: dates {'settled by each file' if date_format == 'auto' else date_format.upper()}")


def _stored(date_format: str) -> DateFormat | None:
    return None if date_format == "auto" else DateFormat(date_format.upper())
