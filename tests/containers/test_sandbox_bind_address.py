"""The sandbox servers listen where they are told (``hr-sandbox serve --host``), 127.0.0.1 unless told, and the
settings they print point there: runs in containers reach the twins on a bridge's address this way."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.running_platform import HR_SANDBOX, platform_environment, sandbox_environment
from tests.waiting import WAIT_S, wait_until

pytestmark = pytest.mark.commands

URLS = ("HOLDED_BASE_URL", "FOURGEEKS_BASE_URL", "NOTION_BASE_URL", "BAYZAT_DEFAULT_API_URL")  # as written
ADDRESS = "127.0.0.2"  # a loopback address that is not 127.0.0.1: a server bound to 127.0.0.1 alone does not answer


def answers(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=2).close()
    except OSError:
        return False
    return True


def printed_settings(sandbox: subprocess.Popen, directory: Path) -> dict[str, str]:
    """The settings the started sandbox wrote (sandbox.env), once they are all there."""

    def written() -> dict[str, str] | None:
        assert sandbox.poll() is None, sandbox.stderr.read() if sandbox.stderr else ""
        if (directory / "sandbox.env").exists() and URLS[-1] in (settings := sandbox_environment(directory)):
            return settings
        return None

    return wait_until(written, "the sandbox's settings", every_s=0.5)


def test_the_sandbox_listens_on_the_address_it_is_given_and_points_the_settings_there(tmp_path: Path) -> None:
    directory = tmp_path / "sandbox"
    sandbox = subprocess.Popen(
        [HR_SANDBOX, "serve", "--host", ADDRESS, "--directory", str(directory), "--paycom-port", "0",
         "--employees", "5", "--invoices-per-month", "1"],
        env=platform_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        settings = printed_settings(sandbox, directory)
        servers = [(settings["PAYCOM_SFTP_HOST"], int(settings["PAYCOM_SFTP_PORT"]))]
        for name in URLS:
            url = urlsplit(settings[name])
            servers.append((url.hostname, url.port))
        assert {host for host, _ in servers} == {ADDRESS}
        assert Path(settings["PAYCOM_SFTP_KNOWN_HOSTS"]).read_text().startswith(f"[{ADDRESS}]:")
        assert all(answers(ADDRESS, port) for _, port in servers)
        assert not any(answers("127.0.0.1", port) for _, port in servers)
    finally:
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=WAIT_S)
