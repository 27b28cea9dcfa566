"""``hr-assets api``: serve the employee API, and make, list and revoke its tokens."""

from collections.abc import Mapping
from typing import Any

import click

from hr_assets.api.store import SCOPES
from hr_assets.cli.jobs import ui_url
from hr_assets.cli.output import json_option, print_lines
from hr_assets.cli.warehouse import audited, warehouse
from hr_assets.lib.clock import Clock


@click.group(invoke_without_command=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8020, show_default=True, envvar="HR_API_PORT")
@click.option("--host", default="127.0.0.1", show_default=True, help="Keep the loopback: the proxy faces people.")
@click.pass_context
def api(ctx: click.Context, port: int, host: str) -> None:
    """Serve the employee API (without a subcommand) on HOST:PORT."""
    if ctx.invoked_subcommand is None:
        from hr_assets.api.server import serve

        click.echo(f"Employee API on http://{host}:{port}/api/paycom/ (docs: /api/docs)")
        serve(host, port, ui_url())


@api.group()
def token() -> None:
    """The API's tokens: only a hash of each is stored."""


@token.command("create")
@click.option("--name", required=True, help="Who or what uses it, e.g. scheduling-app.")
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    default="read",
    show_default=True,
    help="read: the GETs; operate: the GETs and the POSTs; pay: the GETs with pay rates and salaries.",
)
def create(name: str, scope: str) -> None:
    """Make a token and print it (once: it cannot be shown again)."""
    from hr_assets.api.store import create_token

    now = Clock().now()
    with warehouse().begin() as connection:
        secret = create_token(connection, name, scope, now)
        audited(connection, action="api_token.create", target=f"token {name}", now=now, new={"scope": scope})
    click.echo(secret)


@token.command("list")
@json_option
def list_(as_json: bool) -> None:
    """The tokens, live and revoked (never the tokens themselves: only their hashes are kept)."""
    from hr_assets.api.store import tokens

    with warehouse().connect() as connection:
        rows = tokens(connection)
    columns = ("name", "scope", "created_at", "last_used_at", "revoked_at")
    print_lines(rows, columns, as_json=as_json, empty="No tokens yet (hr-assets api token create).", line=_token_line)


def _token_line(row: Mapping[str, Any]) -> str:
    state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "live"
    return f"{row['name']:<30} {row['scope']:<8} created {row['created_at']:%Y-%m-%d %H:%M}  {state}"


@token.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the token called NAME: it stops working at once."""
    from hr_assets.api.store import revoke as revoke_token

    now = Clock().now()
    with warehouse().begin() as connection:
        revoke_token(connection, name, now)
        audited(connection, action="api_token.revoke", target=f"token {name}", now=now)
    click.echo(f"Revoked {name}")
