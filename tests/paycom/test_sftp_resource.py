"""The SFTP resource against the real sandbox server: pinned keys, refused logins, unsafe names, retries."""

import datetime as dt
import hashlib
import logging
import socket
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from hr_assets.defs.paycom.reports import UnsafeRemoteName, classify
from hr_assets.defs.paycom.resources import PaycomHostKeyError, PaycomLoginError, PaycomSftpError, PaycomSftpResource
from hr_assets.warehouse import tables
from hr_sandbox.paycom import USERNAME, PaycomSandbox
from hr_sandbox.sftp_server import SandboxSftpServer, generate_host_key
from tests.conftest import materialized
from tests.paycom.conftest import WEEKS, rows, sync

pytestmark = pytest.mark.twins  # starts the twins itself (tests/conftest.py)


def _resource(sandbox: PaycomSandbox, tmp_path: Path, **overrides: object) -> PaycomSftpResource:
    settings = {
        "host": "127.0.0.1",
        "port": sandbox.server.port,
        "username": USERNAME,
        "password": sandbox.password(),
        "known_hosts": str(sandbox.known_hosts_path),
        "max_attempts": 3,
        "backoff_initial_s": 0.05,
        "backoff_max_s": 0.1,
        **overrides,
    }
    return PaycomSftpResource(**settings)


def test_password_login_lists_and_downloads_intact_files(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    resource = _resource(paycom_sandbox, tmp_path)
    entries = resource.list_files()
    reports = [classify(e.name, e.size_bytes, ZoneInfo("UTC")) for e in entries]
    assert len(entries) == 12 and all(reports)
    local = tmp_path / "downloads"
    local.mkdir()
    [downloaded], [] = resource.download([reports[0]], local)
    original = paycom_sandbox.reports_directory / reports[0].name
    assert downloaded.path.read_bytes() == original.read_bytes()
    assert downloaded.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert sorted(p.name for p in downloaded.path.parent.iterdir()) == [reports[0].name], "no partial file is left"


def test_private_key_login(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    resource = _resource(paycom_sandbox, tmp_path, password=None, private_key_path=str(paycom_sandbox.client_key_path))
    assert resource.test_connection() == 12


def test_an_unknown_host_key_is_refused_not_added(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(PaycomHostKeyError, match="not in .*known_hosts; refusing to connect"):
        _resource(paycom_sandbox, tmp_path, known_hosts=str(empty)).test_connection()
    assert empty.read_text() == ""


def test_a_changed_host_key_is_refused(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    impostor = SandboxSftpServer(
        paycom_sandbox.reports_directory, generate_host_key(), USERNAME, password=paycom_sandbox.password()
    )
    with impostor:
        pinned = tmp_path / "known_hosts"
        pinned.write_text(
            paycom_sandbox.server.known_hosts_line().replace(f"]:{paycom_sandbox.server.port} ", f"]:{impostor.port} ")
            + "\n"
        )
        resource = _resource(paycom_sandbox, tmp_path, port=str(impostor.port), known_hosts=str(pinned))
        with pytest.raises(PaycomHostKeyError, match="differs from the one pinned"):
            resource.test_connection()


def test_a_wrong_password_is_refused_at_once_and_never_echoed(
    paycom_sandbox: PaycomSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    resource = _resource(paycom_sandbox, tmp_path, password="wrong-Secret-123", max_attempts=5)
    with caplog.at_level(logging.DEBUG), pytest.raises(PaycomLoginError) as refused:
        resource.test_connection()
    assert "wrong-Secret-123" not in str(refused.value)
    assert "wrong-Secret-123" not in caplog.text
    assert "retrying" not in caplog.text, "a refused login is final, not retried"


def test_a_server_that_is_down_is_retried_then_reported(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    resource = _resource(paycom_sandbox, tmp_path, port=str(closed_port))
    with pytest.raises(PaycomSftpError, match=r"failed after 3 attempts: could not connect \(Connection refused\)$"):
        resource.list_files()


def test_a_name_that_would_escape_the_local_folder_is_refused(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    local = tmp_path / "downloads"
    local.mkdir()
    report = classify("20261119180000_Employee_Directory_0000abcd_EmployeeRoster.numbers", 1, ZoneInfo("UTC"))
    escaping = type(report)("../../x", "directory", report.pushed_at, 1)
    with pytest.raises(UnsafeRemoteName, match="would escape the local folder"):
        _resource(paycom_sandbox, tmp_path).download([escaping], local)
    assert not (tmp_path / "x").exists() and not (tmp_path.parent / "x").exists()


@pytest.mark.usefixtures("platform_env")
def test_a_malicious_listing_is_recorded_and_the_sync_goes_on(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = SandboxSftpServer(
        paycom_sandbox.reports_directory,
        paycom_sandbox.server.host_key,
        USERNAME,
        password=paycom_sandbox.password(),
        extra_listing_names=["../../x", "..\\evil"],
    )
    with hostile:
        known_hosts = paycom_sandbox.directory / "hostile_known_hosts"
        hostile.write_known_hosts(known_hosts)
        monkeypatch.setenv("PAYCOM_SFTP_PORT", str(hostile.port))
        monkeypatch.setenv("PAYCOM_SFTP_KNOWN_HOSTS", str(known_hosts))
        result = sync(instance, WEEKS[2])
    assert result.success
    assert materialized(result)["paycom_roster_files"]["refused_names"] == 2
    refused = [f for f in rows(warehouse_url, tables.paycom_files) if f["status"] == "refused"]
    assert sorted(f["file_name"] for f in refused) == ["../../x", "..\\evil"]
    errors = rows(warehouse_url, tables.integration_errors)
    assert any(e["file_name"] == "../../x" and "escape" in e["reason"] for e in errors)


def test_the_week_uses_the_newest_push_up_to_its_friday(paycom_sandbox: PaycomSandbox, tmp_path: Path) -> None:
    from hr_assets.defs.paycom.reports import newest_per_type, sync_cutoff

    utc = ZoneInfo("UTC")
    entries = _resource(paycom_sandbox, tmp_path).list_files()
    reports = [classify(e.name, e.size_bytes, utc) for e in entries]
    week_start = dt.datetime.combine(WEEKS[1], dt.time(), utc)
    chosen = newest_per_type(reports, sync_cutoff(week_start), ["directory", "pay"])
    assert {r.pushed_at.date() for r in chosen.values()} == {WEEKS[1] - dt.timedelta(days=1)}
