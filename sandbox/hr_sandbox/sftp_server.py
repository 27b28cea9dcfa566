"""A real SFTP server (on 127.0.0.1 unless told) that serves a folder read-only: the sandbox's Paycom account.

The client code under test talks to it exactly as it talks to Paycom: SSH with a pinned host key
(``known_hosts_line`` gives the line a client must trust), password or public-key login, then SFTP.
The server side is paramiko's own (``Transport``, ``ServerInterface``, ``SFTPServer``).

What a client can and cannot do:

- list, stat and download the files under ``root``; nothing outside it is reachable, through
  ``..`` or through a symlink (permission denied);
- nothing can be written: opening for writing is refused (permission denied) and every other
  changing operation is unsupported;
- ``extra_listing_names`` are added to every directory listing as if they were files, to play a
  hostile server that sends names such as ``../../x``; they cannot be opened.

Passwords are compared, never logged.
"""

from __future__ import annotations

import hmac
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import paramiko

logger = logging.getLogger(__name__)

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC | os.O_EXCL
_ACCEPT_POLL_SECONDS = 0.05
_FAKE_FILE_SIZE = 1024


def generate_host_key() -> paramiko.PKey:
    """A new ECDSA (P-256) key: fast to generate, accepted by every current SSH client."""
    return paramiko.ECDSAKey.generate()


def load_or_create_key(path: Path) -> paramiko.PKey:
    """The private key kept at ``path``, created (mode 0600) on first use, so the sandbox keeps
    the same host key across restarts and the clients' known_hosts stay valid."""
    if path.exists():
        return paramiko.PKey.from_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_host_key()
    partial = path.with_name(path.name + ".partial")
    key.write_private_key_file(str(partial))  # paramiko creates the file with mode 0600
    partial.replace(path)
    return key


class SandboxSftpServer:
    """An SFTP server on ``host`` serving ``root`` read-only, as a context manager or with
    ``start()`` / ``stop()``.

    ``port=0`` binds an ephemeral port; ``.port`` tells which once started. Logins are accepted
    for ``username`` with ``password`` and/or with the private key matching ``authorized_key``.
    ``host`` is also the name in ``known_hosts_line``: the address clients connect to.
    """

    def __init__(
        self,
        root: Path,
        host_key: paramiko.PKey,
        username: str,
        password: str | None = None,
        authorized_key: paramiko.PKey | None = None,
        extra_listing_names: Sequence[str] = (),
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        if password is None and authorized_key is None:
            raise ValueError("configure a password, an authorized key or both")
        self.host = host
        self.root = root.resolve()
        self.host_key = host_key
        self._authenticator = _Authenticator(username, password, authorized_key)
        self._extra_listing_names = tuple(extra_listing_names)
        self._requested_port = port
        self._port: int | None = None
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._transports: list[paramiko.Transport] = []

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the SFTP server has not been started")
        return self._port

    def start(self) -> SandboxSftpServer:
        """Bind and start accepting connections in a background (daemon) thread."""
        self._stopping.clear()
        self._listener = socket.create_server((self.host, self._requested_port))
        self._listener.settimeout(_ACCEPT_POLL_SECONDS)
        self._port = self._listener.getsockname()[1]
        self._accept_thread = threading.Thread(
            target=self._accept_connections, name=f"sftp-accept-{self._port}", daemon=True
        )
        self._accept_thread.start()
        logger.info("Sandbox SFTP server serving %s on %s:%d", self.root, self.host, self._port)
        return self

    def stop(self) -> None:
        """Close the listening socket and every open connection."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=2 * _ACCEPT_POLL_SECONDS + 1)
        with self._lock:
            transports, self._transports = self._transports, []
        for transport in transports:
            transport.close()

    def __enter__(self) -> SandboxSftpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def known_hosts_line(self) -> str:
        """The OpenSSH known_hosts line for this server (``[<host>]:<port>`` off port 22)."""
        name = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
        return f"{name} {self.host_key.get_name()} {self.host_key.get_base64()}"

    def write_known_hosts(self, path: Path) -> Path:
        """Write a known_hosts file that trusts this server only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.known_hosts_line() + "\n", encoding="utf-8")
        return path

    def _accept_connections(self) -> None:
        if self._listener is None:
            raise RuntimeError("the listener is not open")
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed by stop()
                return
            threading.Thread(target=self._serve, args=(connection,), name="sftp-connection", daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        """Run the SSH handshake; paramiko's own threads then serve the SFTP session."""
        # Without TCP_NODELAY, Nagle's algorithm holds back SFTP's small replies ~40 ms each.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport = paramiko.Transport(connection)
        with self._lock:
            if self._stopping.is_set():
                transport.close()
                return
            self._transports = [t for t in self._transports if t.is_active()] + [transport]
        transport.add_server_key(self.host_key)
        transport.set_subsystem_handler(
            "sftp",
            paramiko.SFTPServer,
            _ReadOnlyFolder,
            root=self.root,
            extra_listing_names=self._extra_listing_names,
        )
        try:
            transport.start_server(server=self._authenticator)
        except (paramiko.SSHException, EOFError, OSError) as error:
            logger.info("Sandbox SFTP handshake failed: %s", error)
            transport.close()


class _Authenticator(paramiko.ServerInterface):
    """Accepts one user, by password and/or by public key, and only SFTP sessions."""

    def __init__(self, username: str, password: str | None, authorized_key: paramiko.PKey | None):
        self._username = username
        self._password = password
        self._authorized_key = authorized_key

    def get_allowed_auths(self, username: str) -> str:
        methods = []
        if self._password is not None:
            methods.append("password")
        if self._authorized_key is not None:
            methods.append("publickey")
        return ",".join(methods)

    def check_auth_password(self, username: str, password: str) -> int:
        accepted = (
            self._password is not None
            and username == self._username
            and hmac.compare_digest(password.encode(), self._password.encode())
        )
        return paramiko.AUTH_SUCCESSFUL if accepted else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        accepted = (
            self._authorized_key is not None
            and username == self._username
            and key.asbytes() == self._authorized_key.asbytes()
        )
        return paramiko.AUTH_SUCCESSFUL if accepted else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _ReadHandle(paramiko.SFTPHandle):
    """An open file; paramiko's ``SFTPHandle.read`` reads from ``readfile``."""

    def __init__(self, readfile: BinaryIO) -> None:
        super().__init__()
        self.readfile = readfile

    def stat(self) -> paramiko.SFTPAttributes:
        return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))


class _ReadOnlyFolder(paramiko.SFTPServerInterface):
    """The SFTP view of ``root``: ``/`` is ``root`` and nothing outside it is reachable."""

    def __init__(self, server: paramiko.ServerInterface, *, root: Path, extra_listing_names: tuple[str, ...]) -> None:
        super().__init__(server)
        self._root = root
        self._extra_listing_names = extra_listing_names

    def _local_path(self, path: str) -> Path | None:
        """The local path for an SFTP path, or None when it leads outside ``root``
        (through ``..`` or a symlink)."""
        local = (self._root / path.lstrip("/")).resolve()
        return local if local.is_relative_to(self._root) else None

    def list_folder(self, path: str) -> list[paramiko.SFTPAttributes] | int:
        local = self._local_path(path)
        if local is None:
            return paramiko.SFTP_PERMISSION_DENIED
        try:
            entries = [paramiko.SFTPAttributes.from_stat(entry.stat(), entry.name) for entry in sorted(local.iterdir())]
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)
        return entries + [_fake_file_attributes(name) for name in self._extra_listing_names]

    def stat(self, path: str) -> paramiko.SFTPAttributes | int:
        local = self._local_path(path)
        if local is None:
            return paramiko.SFTP_PERMISSION_DENIED
        try:
            return paramiko.SFTPAttributes.from_stat(local.stat(), local.name)
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)

    # Paths are resolved (symlinks followed) before anything else, so lstat is stat.
    lstat = stat

    def open(self, path: str, flags: int, attr: paramiko.SFTPAttributes) -> _ReadHandle | int:
        local = self._local_path(path)
        if flags & _WRITE_FLAGS or local is None:
            return paramiko.SFTP_PERMISSION_DENIED
        try:
            return _ReadHandle(local.open("rb"))
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)


def _fake_file_attributes(name: str) -> paramiko.SFTPAttributes:
    """Listing attributes of a regular file that does not exist (see ``extra_listing_names``).

    paramiko sends the modification time only when the access time is set too.
    """
    attributes = paramiko.SFTPAttributes()
    attributes.filename = name
    attributes.st_size = _FAKE_FILE_SIZE
    attributes.st_mode = stat.S_IFREG | 0o644
    attributes.st_atime = attributes.st_mtime = int(time.time())
    return attributes
