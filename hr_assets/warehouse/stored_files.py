"""Raw files kept in the warehouse (``stored_files``, ``stored_file_chunks``), so that whichever machine a run is
launched on, it reads the file another run downloaded or the inbox sensor found: nothing is handed over on a
machine's disk.

A file is its size and SHA-256 in ``stored_files`` and its content in rows of ``CHUNK_BYTES`` (the last one
shorter) in ``stored_file_chunks``. It is written from a stream and read back as one (``open_stored``), a chunk at
a time, so memory stays flat whatever the file's size. Its content can be deleted while its row stays, saying when
(``delete_content``): Paycom's raw reports hold bank details the platform never reads, so they go once read.
Every function works inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.tables import stored_file_chunks as chunks
from hr_assets.warehouse.tables import stored_files as files

CHUNK_BYTES = 1 << 20


class StoredFileMissing(Exception):
    """The stored file is not there, or its content was deleted; the message says which and since when."""


@dataclass(frozen=True)
class StoredFile:
    id: int
    source: str
    file_name: str
    size_bytes: int
    sha256: str
    content_deleted_at: dt.datetime | None


def store_stream(
    connection: Connection, *, source: str, file_name: str, stream: BinaryIO, now: dt.datetime
) -> StoredFile:
    """Store what ``stream`` holds, read ``CHUNK_BYTES`` at a time; its size and SHA-256 are counted on the way."""
    inserted = sa.insert(files).values(source=source, file_name=file_name, size_bytes=0, sha256="", created_at=now)
    file_id = connection.execute(inserted.returning(files.c.id)).scalar_one()
    digest, size, index = hashlib.sha256(), 0, 0
    while data := _read_chunk(stream):
        connection.execute(sa.insert(chunks).values(stored_file_id=file_id, chunk_index=index, data=data))
        digest.update(data)
        size += len(data)
        index += 1
    connection.execute(sa.update(files).where(files.c.id == file_id).values(size_bytes=size, sha256=digest.hexdigest()))
    return StoredFile(file_id, source, file_name, size, digest.hexdigest(), None)


def store_path(connection: Connection, *, source: str, path: Path, now: dt.datetime) -> StoredFile:
    """Store the file at ``path`` under its name."""
    with path.open("rb") as stream:
        return store_stream(connection, source=source, file_name=path.name, stream=stream, now=now)


def _read_chunk(stream: BinaryIO) -> bytes:
    """The next ``CHUNK_BYTES`` (fewer only at the end): every chunk but the last is whole, which reading relies on."""
    parts, wanted = [], CHUNK_BYTES
    while wanted and (part := stream.read(wanted)):
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def stored_file(connection: Connection, file_id: int) -> StoredFile | None:
    row = connection.execute(sa.select(files).where(files.c.id == file_id)).mappings().first()
    return _stored(row) if row else None


def find_stored(connection: Connection, *, source: str, sha256: str, file_name: str | None = None) -> StoredFile | None:
    """The newest stored file of ``source`` with this content (and name, when given) whose content is still there."""
    query = sa.select(files).where(
        files.c.source == source, files.c.sha256 == sha256, files.c.content_deleted_at.is_(None)
    )
    if file_name is not None:
        query = query.where(files.c.file_name == file_name)
    row = connection.execute(query.order_by(files.c.id.desc()).limit(1)).mappings().first()
    return _stored(row) if row else None


def with_content(connection: Connection, *, source: str, sha256: str) -> list[int]:
    """The ids of the stored files of ``source`` holding this content, under any name."""
    query = sa.select(files.c.id).where(
        files.c.source == source, files.c.sha256 == sha256, files.c.content_deleted_at.is_(None)
    )
    return list(connection.execute(query).scalars())


def readable(connection: Connection, file_id: int) -> StoredFile:
    """The stored file, or ``StoredFileMissing`` when it is not there or its content was deleted."""
    found = stored_file(connection, file_id)
    if found is None:
        raise StoredFileMissing(f"stored file {file_id} is not in the warehouse")
    if found.content_deleted_at is not None:
        raise StoredFileMissing(
            f"the stored copy of {found.file_name} was deleted on {found.content_deleted_at:%Y-%m-%d %H:%M} UTC"
        )
    return found


def open_stored(connection: Connection, file: StoredFile) -> BinaryIO:
    """The file's content as a seekable binary stream, read from the warehouse a chunk at a time."""
    return io.BufferedReader(_ChunkReader(connection, file), buffer_size=CHUNK_BYTES)


@contextlib.contextmanager
def local_copy(connection: Connection, file: StoredFile) -> Iterator[Path]:
    """The content in a temporary file of this process, with the file's suffix (``.csv``, ``.numbers``), for readers
    that need a path (a Numbers document is a zip archive); deleted on exit."""
    with tempfile.TemporaryDirectory(prefix="hr_stored_") as directory:
        path = Path(directory) / f"content{Path(file.file_name).suffix}"
        with open_stored(connection, file) as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, CHUNK_BYTES)
        yield path


def delete_content(connection: Connection, file_ids: Iterable[int], now: dt.datetime) -> None:
    """Delete the files' content; their rows stay, with size, hash and when the content went."""
    ids = list(file_ids)
    if not ids:
        return
    connection.execute(sa.delete(chunks).where(chunks.c.stored_file_id.in_(ids)))
    connection.execute(
        sa.update(files).where(files.c.id.in_(ids), files.c.content_deleted_at.is_(None)).values(content_deleted_at=now)
    )


def delete_files(connection: Connection, file_ids: Iterable[int]) -> None:
    """Delete the files, content and rows."""
    ids = list(file_ids)
    if ids:
        connection.execute(sa.delete(chunks).where(chunks.c.stored_file_id.in_(ids)))
        connection.execute(sa.delete(files).where(files.c.id.in_(ids)))


def _stored(row: sa.RowMapping) -> StoredFile:
    return StoredFile(
        row["id"], row["source"], row["file_name"], row["size_bytes"], row["sha256"], row["content_deleted_at"]
    )


class _ChunkReader(io.RawIOBase):
    """A stored file's content as a raw stream: one query per chunk, one chunk held at a time."""

    def __init__(self, connection: Connection, file: StoredFile):
        super().__init__()
        self._connection, self._file = connection, file
        self._position = 0
        self._chunk_index, self._chunk = -1, memoryview(b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._file.size_bytes}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._position >= self._file.size_bytes:
            return 0
        index, start = divmod(self._position, CHUNK_BYTES)
        if index != self._chunk_index:
            data = self._connection.execute(
                sa.select(chunks.c.data).where(chunks.c.stored_file_id == self._file.id, chunks.c.chunk_index == index)
            ).scalar_one_or_none()
            if data is None:
                raise StoredFileMissing(f"the stored copy of {self._file.file_name} has lost chunk {index}")
            self._chunk_index, self._chunk = index, memoryview(bytes(data))
        piece = self._chunk[start : start + len(buffer)]
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)
