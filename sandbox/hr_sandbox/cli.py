"""``hr-sandbox``: the loopback twins of every vendor (``serve``), and the platform run against them (``dev``)."""

import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import click

from hr_assets.cli.warehouse import warehouse
from hr_assets.lib.clock import Clock
from hr_sandbox.attendance import DEMO_COMPANIES
from hr_sandbox.bayzat import ANSWER_SHAPES
from hr_sandbox.notion import CLIENTS, TWO_DATA_SOURCES
from hr_sandbox.platform import PlatformSandbox

SECRET_NAMES = ("PASSWORD", "TOKEN", "KEY")


def _sandbox_options(command: click.Command) -> click.Command:
    for option in reversed(
        [
            click.option(
                "--directory",
                type=click.Path(file_okay=False, path_type=Path),
                default=".sandbox",
                show_default=True,
                help="Where the sandbox keeps its keys, password and data.",
            ),
            click.option("--employees", default=200, show_default=True, help="Roster size of the generated reports."),
            click.option("--paycom-port", default=2222, show_default=True, help="The SFTP port (0: any free port)."),
            click.option(
                "--host",
                default="127.0.0.1",
                show_default=True,
                help="The address the sandbox servers listen on and the printed settings point at (e.g. a container "
                "bridge's address, for runs in containers).",
            ),
            click.option(
                "--invoices-per-month", default=40, show_default=True, help="Holded invoices generated a month."
            ),
            click.option(
                "--bayzat-answer",
                "bayzat_answers",
                multiple=True,
                metavar="[COMPANY=]SHAPE",
                callback=_answer_shapes,
                help=f"How the Bayzat twin answers ({', '.join(ANSWER_SHAPES)}; default index), for every company or "
                "for one; repeatable.",
            ),
            click.option(
                "--bayzat-history",
                is_flag=True,
                help="The Bayzat twin already holds a few of the report's check-ins and does not know one employee "
                "of each company, so a push meets every fate: stored, already there, refused.",
            ),
            click.option(
                "--notion-second-data-source",
                "notion_two_sources",
                is_flag=True,
                help="The Notion twin's clients database gets a second, empty data source, which a client on an API "
                "version before 2025-09-03 cannot query; the printed NOTION_DATA_SOURCE_ID names the clients' one.",
            ),
        ]
    ):
        command = option(command)
    return command


def _answer_shapes(_context: click.Context, _option: click.Parameter, values: tuple[str, ...]) -> dict:
    """``SHAPE`` for every demo company, ``COMPANY=SHAPE`` for one: {slug or None: shape}."""
    shapes: dict[str | None, str] = {}
    slugs = [company.slug for company in DEMO_COMPANIES]
    for value in values:
        slug, _, shape = value.rpartition("=")
        if shape not in ANSWER_SHAPES or (slug and slug not in slugs):
            raise click.BadParameter(f"{value!r}: give SHAPE or COMPANY=SHAPE, COMPANY one of {', '.join(slugs)}")
        shapes[slug or None] = shape
    return shapes


def _write_env_file(path: Path, environment: dict[str, str]) -> None:
    path.touch(mode=0o600)
    path.write_text("".join(f"export {name}={shlex.quote(value)}\n" for name, value in environment.items()))


def _shown(name: str, value: str) -> str:
    return "********" if any(word in name for word in SECRET_NAMES) and not name.endswith("_PATH") else value


def _start(
    directory: Path,
    employees: int,
    paycom_port: int,
    host: str,
    invoices_per_month: int,
    bayzat_answers: dict,
    bayzat_history: bool,
    notion_two_sources: bool,
) -> tuple[PlatformSandbox, dict[str, str]]:
    click.echo(f"Starting the sandbox in {directory} (the first start generates the reports)...")
    sandbox = PlatformSandbox(
        directory,
        employees,
        paycom_port,
        invoices_per_month,
        bayzat_answers,
        bayzat_history=bayzat_history,
        notion_data_sources=TWO_DATA_SOURCES if notion_two_sources else (CLIENTS,),
        host=host,
    )
    environment = sandbox.start()
    _write_env_file(directory / "sandbox.env", environment)
    return sandbox, environment


def _demo_companies(sandbox: PlatformSandbox, environment: dict[str, str]) -> None:
    """The demo companies with their Bayzat accounts on the twin, and last week's fingerprint report in the
    inbox (the inbox sensor imports it once the Paycom roster is there); what is already set up is kept."""
    from hr_assets.defs.bayzat.configs import save_config
    from hr_assets.defs.shared.companies import CompanyError, add_company
    from hr_assets.defs.shared.partitions import bayzat_company_partitions
    from hr_assets.lib.runs import add_dynamic_partition

    os.environ.update(environment)
    engine = warehouse()
    now = Clock().now()
    for company in DEMO_COMPANIES:
        with engine.begin() as connection:
            try:
                company_id = add_company(
                    connection,
                    slug=company.slug,
                    name_en=company.name_en,
                    name_ar=company.name_ar,
                    fingerprint_report_name=company.department,
                    timezone=company.timezone,
                    now=now,
                )
            except CompanyError:
                continue  # set up by an earlier start
            save_config(
                connection,
                company_id=company_id,
                api_key=sandbox.attendance.keys[company.slug],
                api_url=environment["BAYZAT_DEFAULT_API_URL"],
                is_enabled=True,
                sync_frequency="hourly",
                now=now,
                secret_key=environment["HR_SECRET_KEY"],
            )
        add_dynamic_partition(bayzat_company_partitions, company.slug)
    inbox = Path(environment["ATTENDANCE_INBOX_DIRECTORY"])
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(sandbox.fingerprint_report, inbox / sandbox.fingerprint_report.name)


@click.group()
def main() -> None:
    """The vendors' twins on this machine, for development: serve starts them, dev the platform on them too."""


@main.command()
@_sandbox_options
def serve(
    directory: Path,
    employees: int,
    paycom_port: int,
    host: str,
    invoices_per_month: int,
    bayzat_answers: dict,
    bayzat_history: bool,
    notion_two_sources: bool,
) -> None:
    """Start the sandbox servers on 127.0.0.1 (or --host) and print the environment that points the platform at
    them."""
    running, environment = _start(
        directory, employees, paycom_port, host, invoices_per_month, bayzat_answers, bayzat_history, notion_two_sources
    )
    for name, value in environment.items():
        click.echo(f"export {name}={_shown(name, value)}")
    click.echo(f"\nSecrets are masked here; `source {directory / 'sandbox.env'}` sets them all. Ctrl-C stops.")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        # A timed wait: the kernel may hand SIGTERM to a server's thread, and Python runs the handler only once the
        # main thread wakes; an untimed wait would never wake, and the sandbox would not stop.
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def _start_api(environment: dict[str, str], ui_port: int, api_port: int) -> subprocess.Popen:
    """``hr-assets api`` beside the UI, its links and runs pointed at it, and a development token printed."""
    hr_assets = str(Path(sys.executable).with_name("hr-assets"))
    environment = {**environment, "HR_DAGSTER_URL": f"http://127.0.0.1:{ui_port}"}
    name = f"dev-{secrets.token_hex(4)}"
    made = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [hr_assets, "api", "token", "create", "--name", name, "--scope", "operate"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    click.echo(f"Employee API: http://127.0.0.1:{api_port}/api/docs  development token ({name}): {made.stdout.strip()}")
    return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [hr_assets, "api", "--port", str(api_port)], env=environment, start_new_session=True, preexec_fn=_interruptible
    )


def _interruptible() -> None:
    """In the child: a launcher in the background may have left SIGINT ignored; Dagster stops on it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop_group(process: subprocess.Popen, grace_s: float = 30.0) -> None:
    """SIGINT to the UI's whole process group (webserver, daemon, code servers), then SIGKILL."""
    for sent, wait_s in ((signal.SIGINT, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@main.command()
@_sandbox_options
@click.option("--port", default=3000, show_default=True, help="The web UI's port (bound to 127.0.0.1).")
@click.option("--api-port", default=8020, show_default=True, help="The employee API's port (bound to 127.0.0.1).")
def dev(
    directory: Path,
    employees: int,
    paycom_port: int,
    host: str,
    invoices_per_month: int,
    bayzat_answers: dict,
    bayzat_history: bool,
    notion_two_sources: bool,
    port: int,
    api_port: int,
) -> None:
    """The sandbox plus `dg dev` (web UI and daemon) pointed at it, UI on http://127.0.0.1:PORT."""
    if not os.environ.get("DAGSTER_HOME"):
        raise click.ClickException("DAGSTER_HOME is not set: run `make dev`, or export DAGSTER_HOME=dagster_home")
    running, environment = _start(
        directory, employees, paycom_port, host, invoices_per_month, bayzat_answers, bayzat_history, notion_two_sources
    )
    _demo_companies(running, environment)
    command = [str(Path(sys.executable).with_name("dg")), "dev", "--host", "127.0.0.1", "--port", str(port)]
    click.echo(f"Web UI: http://127.0.0.1:{port}  (Ctrl-C stops everything)")
    child_environment = {**os.environ, **environment, "VIRTUAL_ENV": sys.prefix}  # dg checks it is ours
    process = subprocess.Popen(  # noqa: S603 - our own dg, with fixed arguments
        command, env=child_environment, start_new_session=True, preexec_fn=_interruptible
    )
    api = _start_api(child_environment, ui_port=port, api_port=api_port)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while process.poll() is None and not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        _stop_group(api, grace_s=10)
        _stop_group(process)
        running.stop()
    sys.exit(0 if stopping.is_set() else process.returncode or 0)
