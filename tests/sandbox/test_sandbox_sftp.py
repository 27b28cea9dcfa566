"""The sandbox SFTP server against a plain paramiko client, over real sockets on 127.0.0.1."""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from hr_sandbox.sftp_server import SandboxSftpServer, generate_host_key, load_or_create_key

pytestmark = pytest.mark.twins  # starts the twins itself (tests/conftest.py)

USERNAME = "paycom"
PASSWORD = "correct horse battery staple"
HOSTILE_NAME = "../../x"


@pytest.fixture(scope="module")
def host_key() -> paramiko.PKey:
    return generate_host_key()


@pytest.fixture(scope="module")
def user_key() -> paramiko.PKey:
    return generate_host_key()


@pytest.fixture()
def report_bytes() -> bytes:
    return os.urandom(3 * 1024 * 1024 + 17)  # several SFTP packets and a partial last one


@pytest.fixture()
def root(tmp_path: Path, report_bytes: bytes) -> Path:
    """``tmp_path/root`` is served; ``tmp_path/outside`` sits next to it and must stay unreachable."""
    served = tmp_path / "root"
    (served / "reports").mkdir(parents=True)
    (served / "reports" / "roster.numbers").write_bytes(report_bytes)
    (tmp_path / "outside").write_text("secret", encoding="utf-8")
    (served / "reports" / "escape").symlink_to(tmp_path / "outside")
    return served


@pytest.fixture()
def server(root: Path, host_key: paramiko.PKey, user_key: paramiko.PKey) -> Iterator[SandboxSftpServer]:
    with SandboxSftpServer(
        root,
        host_key,
        USERNAME,
        password=PASSWORD,
        authorized_key=user_key,
        extra_listing_names=[HOSTILE_NAME],
    ) as running:
        yield running


@pytest.fixture()
def known_hosts(server: SandboxSftpServer, tmp_path: Path) -> Path:
    return server.write_known_hosts(tmp_path / "known_hosts")


def connect(server: SandboxSftpServer, known_hosts: Path, **auth: object) -> paramiko.SSHClient:
    """A client as the Paycom sync makes one: pinned host key, default RejectPolicy, no agent."""
    client = paramiko.SSHClient()
    client.load_host_keys(str(known_hosts))
    try:
        client.connect(
            server.host,
            port=server.port,
            username=USERNAME,
            look_for_keys=False,
            allow_agent=False,
            timeout=60,  # a key exchange on a loaded machine takes seconds
            **auth,
        )
    except BaseException:
        client.close()
        raise
    return client


@pytest.fixture()
def sftp(server: SandboxSftpServer, known_hosts: Path) -> Iterator[paramiko.SFTPClient]:
    client = connect(server, known_hosts, password=PASSWORD)
    try:
        yield client.open_sftp()
    finally:
        client.close()


def test_password_login_lists_and_downloads_the_exact_bytes(
    sftp: paramiko.SFTPClient, report_bytes: bytes, tmp_path: Path
) -> None:
    listing = {attributes.filename: attributes for attributes in sftp.listdir_attr("reports")}

    assert listing["roster.numbers"].st_size == len(report_bytes)
    assert stat.S_ISREG(listing["roster.numbers"].st_mode)
    assert sftp.stat("/reports/roster.numbers").st_size == len(report_bytes)
    sftp.get("reports/roster.numbers", str(tmp_path / "downloaded"))
    assert (tmp_path / "downloaded").read_bytes() == report_bytes


def test_key_login(server: SandboxSftpServer, known_hosts: Path, user_key: paramiko.PKey) -> None:
    client = connect(server, known_hosts, pkey=user_key)
    try:
        assert "roster.numbers" in client.open_sftp().listdir("reports")
    finally:
        client.close()


def test_a_key_that_is_not_authorized_is_refused(server: SandboxSftpServer, known_hosts: Path) -> None:
    with pytest.raises(paramiko.AuthenticationException):
        connect(server, known_hosts, pkey=generate_host_key())


def test_wrong_password_is_refused(server: SandboxSftpServer, known_hosts: Path) -> None:
    with pytest.raises(paramiko.AuthenticationException):
        connect(server, known_hosts, password="wrong")


def test_an_unknown_host_is_rejected(server: SandboxSftpServer, tmp_path: Path) -> None:
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("", encoding="utf-8")

    with pytest.raises(paramiko.SSHException, match="not found in known_hosts") as raised:
        connect(server, empty, password=PASSWORD)
    assert not isinstance(raised.value, paramiko.BadHostKeyException)


def test_another_key_for_the_host_is_a_bad_host_key(server: SandboxSftpServer, tmp_path: Path) -> None:
    # The impostor key must be of the same type: paramiko only negotiates host key types it has
    # on file for the host, so an Ed25519 entry would fail the key exchange instead.
    impostor = generate_host_key()
    other = tmp_path / "other_known_hosts"
    other.write_text(f"[{server.host}]:{server.port} {impostor.get_name()} {impostor.get_base64()}\n", encoding="utf-8")

    with pytest.raises(paramiko.BadHostKeyException):
        connect(server, other, password=PASSWORD)


def test_known_hosts_line_is_keyed_by_bracketed_host_and_port(
    server: SandboxSftpServer, host_key: paramiko.PKey
) -> None:
    line = server.known_hosts_line()

    assert re.fullmatch(r"\[127\.0\.0\.1\]:\d+ ecdsa-sha2-nistp256 [A-Za-z0-9+/=]+", line)
    assert line.split()[0] == f"[127.0.0.1]:{server.port}"
    assert line.split()[2] == host_key.get_base64()


def test_writing_is_refused(sftp: paramiko.SFTPClient, root: Path) -> None:
    with pytest.raises(PermissionError):
        sftp.open("reports/new.txt", "w")
    with pytest.raises(PermissionError):
        sftp.open("reports/roster.numbers", "r+")
    with pytest.raises(OSError):
        sftp.remove("reports/roster.numbers")
    with pytest.raises(OSError):
        sftp.mkdir("uploads")

    assert sorted(path.name for path in root.rglob("*")) == ["escape", "reports", "roster.numbers"]


@pytest.mark.parametrize("path", ["../outside", "/../outside", "reports/../../outside", "reports/escape"])
def test_nothing_outside_the_root_can_be_read(sftp: paramiko.SFTPClient, path: str) -> None:
    with pytest.raises(PermissionError):
        sftp.open(path, "r")
    with pytest.raises(PermissionError):
        sftp.stat(path)


def test_a_folder_outside_the_root_cannot_be_listed(sftp: paramiko.SFTPClient) -> None:
    with pytest.raises(PermissionError):
        sftp.listdir("..")


def test_extra_listing_names_look_like_files_but_cannot_be_opened(sftp: paramiko.SFTPClient) -> None:
    for folder in ("/", "reports"):
        listing = {attributes.filename: attributes for attributes in sftp.listdir_attr(folder)}
        hostile = listing[HOSTILE_NAME]
        assert stat.S_ISREG(hostile.st_mode)
        assert hostile.st_size > 0
        assert hostile.st_mtime is not None

    with pytest.raises(OSError):
        sftp.open(f"reports/{HOSTILE_NAME}", "r")


def test_stop_closes_open_sessions_and_the_port(root: Path, host_key: paramiko.PKey, tmp_path: Path) -> None:
    server = SandboxSftpServer(root, host_key, USERNAME, password=PASSWORD).start()
    known_hosts = server.write_known_hosts(tmp_path / "known_hosts")
    client = connect(server, known_hosts, password=PASSWORD)
    try:
        session = client.open_sftp()
        session.listdir("/")

        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 3

        with pytest.raises((OSError, EOFError, paramiko.SSHException)):
            session.listdir("/")
        with pytest.raises(OSError):
            connect(server, known_hosts, password=PASSWORD)
    finally:
        client.close()


def test_a_server_needs_a_way_to_log_in(root: Path, host_key: paramiko.PKey) -> None:
    with pytest.raises(ValueError, match="password"):
        SandboxSftpServer(root, host_key, USERNAME)


def test_the_host_key_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "sftp_host_key"

    created = load_or_create_key(path)
    loaded = load_or_create_key(path)

    assert loaded.asbytes() == created.asbytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["sftp_host_key"]
