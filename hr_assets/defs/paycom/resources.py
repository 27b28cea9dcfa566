"""The Paycom SFTP account: listing and downloading report files, and nothing else.

The server's host key must already be in ``PAYCOM_SFTP_KNOWN_HOSTS``: an unknown or changed key
is refused, never added. Dropped connections and failed transfers are retried with exponential
backoff; a refused key, a refused login or an unsafe file name is final and not retried. A file
that cannot be downloaded (a folder under a report's name, gone, not readable, or still failing when
the retries run out) is that file's failure: the others are downloaded all the same.
"""

import hashlib
import os
import socket
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dagster as dg
import paramiko
from pydantic import Field
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from hr_assets.defs.paycom.reports import RemoteReport, UnsafeRemoteName, safe_local_path
from hr_assets.defs.shared.companies import DateFormat
from hr_assets.lib.errors import OperatorError
from hr_assets.lib.integration import IntegrationResource, NotConfigured, required, secret

log = dg.get_dagster_logger("paycom_sftp")
T = TypeVar("T")


class PaycomSftpError(OperatorError):
    """Paycom SFTP could not be used; the message says why and what to check."""


class PaycomHostKeyError(PaycomSftpError):
    """The server's key is unknown or differs from the pinned one: possibly not Paycom at all."""


class PaycomLoginError(PaycomSftpError):
    """The server refused the username, password or key."""


class PaycomConnectError(PaycomSftpError):
    """The server did not accept a TCP connection (down, unreachable, or a firewall)."""


class PaycomTransferError(PaycomSftpError):
    """A download arrived incomplete."""


class PaycomFileError(PaycomSftpError):
    """One remote entry cannot be downloaded as a file (a folder, say); retrying would not help."""


_FINAL = (PaycomHostKeyError, PaycomLoginError, UnsafeRemoteName)


@dataclass(frozen=True)
class RemoteEntry:
    name: str
    size_bytes: int


@dataclass(frozen=True)
class DownloadedFile:
    report: RemoteReport
    path: Path
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class FailedDownload:
    report: RemoteReport
    reason: str


# Failures of one file, not of the connection: that file is given up at once, the others go on.
_FILE_FAILURES = (FileNotFoundError, PermissionError, PaycomFileError)


class _RefuseUnknownHostKey(paramiko.MissingHostKeyPolicy):
    def __init__(self, known_hosts: str):
        self.known_hosts = known_hosts

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        raise PaycomHostKeyError(
            f"Paycom SFTP host {hostname} offered a {key.get_name()} key ({key.fingerprint}) that is not "
            f"in {self.known_hosts}; refusing to connect. Verify the key with Paycom, then add it to that file."
        )


def _is_transient(exc: BaseException) -> bool:
    return not isinstance(exc, _FINAL) and isinstance(exc, (OSError, EOFError, paramiko.SSHException, PaycomSftpError))


class PaycomSftpResource(IntegrationResource):
    """Paycom's SFTP push account (password or private-key login, pinned host key): the ``PAYCOM_SFTP_*`` settings.
    Configured when the host, the account, the known_hosts file and a password or a private key are set."""

    integration = "Paycom"
    env_prefix = "PAYCOM_SFTP_"

    host: str | None = required("Paycom's SFTP server, a host name.")
    port: int = Field(22, ge=1, le=65535, description="Its port.")
    username: str | None = required("The account.")
    password: str | None = secret("How to log in: this or the private key.")
    private_key_path: str | None = Field(
        None, description="How to log in: an OpenSSH private key file (readable), instead of the password."
    )
    known_hosts: str | None = required(
        "An OpenSSH known_hosts file (readable) holding the server's key; an unknown or changed key is refused."
    )
    remote_directory: str = Field("/", description="The folder Paycom pushes the reports to.")
    timeout_s: float = Field(20.0, gt=0, description="Seconds a connection, login or transfer may stall.")
    max_attempts: int = Field(4, ge=1, description="Attempts of a connection or transfer that fails.")
    backoff_initial_s: float = Field(1.0, ge=0, description="The first retry's wait; doubled each attempt.")
    backoff_max_s: float = Field(30.0, ge=0, description="The longest wait between two attempts.")
    date_format: DateFormat = Field(
        DateFormat.MDY,
        description="How the reports' text dates NN/NN/YYYY read: MDY (month first, as Paycom's US exports write "
        "them), DMY (day first) or ISO (only YYYY-MM-DD). Date cells and YYYY-MM-DD text are read under all three.",
    )

    def check_settings(self) -> None:
        if not self.password and not self.private_key_path:
            raise NotConfigured("Paycom is not configured: set PAYCOM_SFTP_PASSWORD or PAYCOM_SFTP_PRIVATE_KEY_PATH")
        for field in ("known_hosts", "private_key_path"):
            path = getattr(self, field)
            if path and not Path(path).is_file():
                raise NotConfigured(f"Paycom is misconfigured: {self.env_name(field)}: not a readable file: {path}")

    @property
    def address(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"

    def _retrying(self, what: str) -> Retrying:
        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                f"Paycom SFTP {what} failed ({_describe(error)}); attempt {state.attempt_number} of "
                f"{self.max_attempts}, retrying in {state.upcoming_sleep:.1f}s"
            )

        return Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait_exponential_jitter(
                multiplier=self.backoff_initial_s, max=self.backoff_max_s, jitter=self.backoff_initial_s
            ),
            retry=retry_if_exception(_is_transient),
            before_sleep=before_sleep,
            reraise=True,
        )

    def _call(self, what: str, operation: Callable[[], T]) -> T:
        self.check()
        try:
            return self._retrying(what)(operation)
        except _FINAL:
            raise
        except Exception as exc:
            raise PaycomSftpError(
                f"Paycom SFTP {what} at {self.address} failed after {self.max_attempts} attempts: {_describe(exc)}"
            ) from None

    @contextmanager
    def _session(self) -> Iterator[paramiko.SFTPClient]:
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except OSError as exc:
            raise PaycomConnectError(f"could not connect ({exc.strerror or _describe(exc)})") from None
        # SFTP pipelines small read requests; Nagle's algorithm would hold each back.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client = paramiko.SSHClient()
        with closing(connection), closing(client):
            self._log_in(client, connection)
            sftp = client.open_sftp()
            if (channel := sftp.get_channel()) is None:
                raise PaycomConnectError("the SFTP session has no channel")
            channel.settimeout(self.timeout_s)
            yield sftp

    def _log_in(self, client: paramiko.SSHClient, connection: socket.socket) -> None:
        known_hosts = self.setting(self.known_hosts)
        client.load_host_keys(known_hosts)
        client.set_missing_host_key_policy(_RefuseUnknownHostKey(known_hosts))
        try:
            client.connect(
                self.setting(self.host),
                port=self.port,
                sock=connection,
                username=self.username,
                password=self.password,
                pkey=paramiko.PKey.from_path(self.private_key_path) if self.private_key_path else None,
                timeout=self.timeout_s,
                banner_timeout=self.timeout_s,
                auth_timeout=self.timeout_s,
                look_for_keys=False,
                allow_agent=False,
            )
        except paramiko.BadHostKeyException as exc:
            raise PaycomHostKeyError(
                f"Paycom SFTP host {self.host}:{self.port} offered key {exc.key.fingerprint}, which differs from "
                f"the one pinned in {self.known_hosts}; refusing to connect (the server may be an impostor)."
            ) from None
        except paramiko.AuthenticationException:
            raise PaycomLoginError(
                f"Paycom SFTP refused the login of {self.address}: check PAYCOM_SFTP_USERNAME and the password or key."
            ) from None

    def test_connection(self) -> int:
        """Log in and list the remote folder; returns how many entries it holds."""

        def run() -> int:
            with self._session() as sftp:
                return len(sftp.listdir(self.remote_directory))

        return self._call("connection test", run)

    def list_files(self) -> list[RemoteEntry]:
        def run() -> list[RemoteEntry]:
            with self._session() as sftp:
                return [RemoteEntry(a.filename, a.st_size or 0) for a in sftp.listdir_attr(self.remote_directory)]

        return self._call("listing", run)

    def download(
        self, reports: Sequence[RemoteReport], local_directory: Path
    ) -> tuple[list[DownloadedFile], list[FailedDownload]]:
        """Download each report into ``local_directory`` (the run's own, temporary) to a temporary name, check its
        size, then rename it into place; returns the files downloaded and the ones that could not be, each with its
        reason. A refused host key or login fails them all (raises)."""
        targets = [(report, safe_local_path(local_directory, report.name)) for report in reports]
        done: dict[str, DownloadedFile] = {}
        failed: dict[str, str] = {}

        def run() -> None:
            with self._session() as sftp:
                for report, target in targets:
                    if report.name in done or report.name in failed:
                        continue
                    try:
                        done[report.name] = self._download_one(sftp, report, target)
                    except _FILE_FAILURES as exc:
                        failed[report.name] = f"Paycom SFTP download of {report.name} failed: {_describe(exc)}"
                        log.warning(failed[report.name])

        try:
            self._call("download", run)
        except (PaycomHostKeyError, PaycomLoginError):
            raise
        except PaycomSftpError as exc:  # the retries ran out: what is not downloaded by now is not
            for report, _ in targets:
                if report.name not in done:
                    failed.setdefault(report.name, f"{report.name}: {exc}")
        return (
            [done[report.name] for report, _ in targets if report.name in done],
            [FailedDownload(report, failed[report.name]) for report, _ in targets if report.name in failed],
        )

    def _download_one(self, sftp: paramiko.SFTPClient, report: RemoteReport, target: Path) -> DownloadedFile:
        remote_path = f"{self.remote_directory.rstrip('/')}/{report.name}"
        attributes = sftp.stat(remote_path)
        if attributes.st_mode is not None and not stat.S_ISREG(attributes.st_mode):
            raise PaycomFileError("it is not a file (a folder?)")
        expected = attributes.st_size
        partial = target.with_name(f".{target.name}.part")
        try:
            sftp.get(remote_path, str(partial))
            received = partial.stat().st_size
            if received != expected:
                raise PaycomTransferError(f"{report.name}: received {received} of {expected} bytes")
            with partial.open("rb") as received_file:
                digest = hashlib.file_digest(received_file, "sha256").hexdigest()
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        log.info(f"Downloaded {report.name} ({received} bytes)")
        return DownloadedFile(report, target, received, digest)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    if isinstance(error, socket.timeout):
        return "timed out"
    if isinstance(error, PaycomSftpError):
        return str(error)
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
