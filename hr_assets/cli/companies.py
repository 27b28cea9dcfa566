"""``hr-assets companies``: the companies attendance is pushed for, and the device department of each."""

import click

from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.companies.store import add_company, all_companies
from hr_assets.lib.clock import Clock


@click.group()
def companies() -> None:
    """Companies and the fingerprint department name that maps rows to each."""


@companies.command("add")
@click.option("--slug", required=True, help="Short name used everywhere else, e.g. advline.")
@click.option("--name-en", required=True, help="The company's name in English.")
@click.option("--name-ar", help="The company's name in Arabic.")
@click.option("--fingerprint-name", help='The department name the fingerprint device writes, e.g. "AdvLine".')
@click.option("--timezone", required=True, help="The company's IANA timezone, e.g. Asia/Dubai.")
def add(slug: str, name_en: str, name_ar: str | None, fingerprint_name: str | None, timezone: str) -> None:
    """Add a company."""
    with warehouse().begin() as connection:
        add_company(
            connection,
            slug=slug,
            name_en=name_en,
            name_ar=name_ar,
            fingerprint_report_name=fingerprint_name,
            timezone=timezone,
            now=Clock().now(),
        )
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
            f"{row['timezone']}"
        )
