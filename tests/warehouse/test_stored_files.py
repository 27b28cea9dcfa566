"""Files kept in the warehouse: stored and read back a chunk at a time, byte for byte, on both databases."""

import datetime as dt
import hashlib
import io
import tracemalloc
from pathlib import Path

import pytest
import sqlalchemy as sa

from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.stored_files import (
    CHUNK_BYTES,
    StoredFileMissing,
    delete_content,
    delete_files,
    find_stored,
    local_copy,
    open_stored,
    readable,
    store_stream,
)
from hr_assets.warehouse.tables import stored_file_chunks, stored_files
from tests.conftest import ON_SQLITE

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)


def _content(size: int) -> bytes:
    """Bytes that differ from chunk to chunk, so a chunk read in the wrong place shows."""
    block = bytes(range(256)) * 4096
    return b"".join(hashlib.sha256(str(n).encode()).digest() + block[n % 7 :] for n in range(size // len(block) + 1))[
        :size
    ]


def test_a_file_of_several_chunks_reads_back_byte_for_byte_with_its_size_and_hash(warehouse_url: str) -> None:
    content = _content(2 * CHUNK_BYTES + 12345)
    engine = warehouse_engine(warehouse_url)
    with engine.begin() as connection:
        stored = store_stream(connection, source="test", file_name="big.bin", stream=io.BytesIO(content), now=NOW)
    assert (stored.size_bytes, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(stored_file_chunks)).scalar_one() == 3
        found = readable(connection, stored.id)
        with open_stored(connection, found) as stream:
            assert stream.read() == content
            stream.seek(CHUNK_BYTES - 5)
            assert stream.read(10) == content[CHUNK_BYTES - 5 : CHUNK_BYTES + 5]
            stream.seek(0)
            assert stream.read(3) == content[:3]
        with local_copy(connection, found) as path:
            assert path.read_bytes() == content
        assert not path.exists(), "the local copy is gone once read"


def test_an_empty_file_is_stored_and_reads_as_empty(warehouse_url: str) -> None:
    engine = warehouse_engine(warehouse_url)
    with engine.begin() as connection:
        stored = store_stream(connection, source="test", file_name="empty.csv", stream=io.BytesIO(b""), now=NOW)
        with open_stored(connection, stored) as stream:
            assert stream.read() == b""
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()


def test_deleted_content_is_gone_and_says_since_when_while_its_row_stays(warehouse_url: str) -> None:
    engine = warehouse_engine(warehouse_url)
    with engine.begin() as connection:
        kept = store_stream(connection, source="paycom", file_name="a.numbers", stream=io.BytesIO(b"bank"), now=NOW)
        gone = store_stream(connection, source="paycom", file_name="b.numbers", stream=io.BytesIO(b"bank"), now=NOW)
        delete_content(connection, [gone.id], NOW + dt.timedelta(hours=1))
    with engine.connect() as connection:
        with pytest.raises(StoredFileMissing, match=r"the stored copy of b.numbers was deleted on 2026-11-20 15:00"):
            readable(connection, gone.id)
        assert find_stored(connection, source="paycom", sha256=gone.sha256) == kept, "only content still there"
        chunk_owners = connection.execute(sa.select(stored_file_chunks.c.stored_file_id)).scalars().all()
        assert chunk_owners == [kept.id]
        assert connection.execute(sa.select(sa.func.count()).select_from(stored_files)).scalar_one() == 2
    with engine.begin() as connection:
        delete_files(connection, [kept.id, gone.id])
    with engine.connect() as connection:
        with pytest.raises(StoredFileMissing, match="is not in the warehouse"):
            readable(connection, kept.id)


@ON_SQLITE
def test_storing_and_reading_hold_a_chunk_in_memory_not_the_file(warehouse_url: str, tmp_path: Path) -> None:
    engine = warehouse_engine(warehouse_url)

    def peak_of(size: int) -> int:
        path = tmp_path / f"{size}.bin"
        path.write_bytes(_content(size))
        tracemalloc.start()
        try:
            with engine.begin() as connection, path.open("rb") as stream:
                stored = store_stream(connection, source="test", file_name=path.name, stream=stream, now=NOW)
                with open_stored(connection, stored) as reader:
                    while reader.read(64 * 1024):
                        pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak_of(2 * CHUNK_BYTES), peak_of(12 * CHUNK_BYTES)
    assert large < 1.2 * small, (small, large)
