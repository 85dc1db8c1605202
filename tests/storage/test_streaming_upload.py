"""Objects written as a stream (`upload_stream`) against the real S3 server."""

from __future__ import annotations

import hashlib
import io
import os
import time

import polars as pl
import pyarrow.parquet as pq
import pytest
from minio import Minio
from polars.testing import assert_frame_equal

from storage import (
    PARQUET_CONTENT_TYPE,
    StorageError,
    get_bytes,
    stat,
    upload_stream,
    verify_checksum,
)

pytestmark = pytest.mark.s3

MiB = 1024 * 1024
PART = 5 * MiB  # the smallest part S3 accepts


def _uploads(client: Minio, bucket: str, key: str) -> list[str]:
    """Multipart uploads still open for `key` (minio has no public call for this)."""
    result = client._list_multipart_uploads(bucket, prefix=key)
    return [u.upload_id for u in result.uploads if u.object_name == key]


def _parts(client: Minio, bucket: str, key: str) -> int:
    """Parts already stored by the open multipart uploads of `key`."""
    return sum(len(client._list_parts(bucket, key, upload).parts)
               for upload in _uploads(client, bucket, key))


def _keys(client: Minio, bucket: str) -> list[str]:
    return sorted(o.object_name or "" for o in client.list_objects(bucket, recursive=True))


def _chunks(data: bytes, seed: int = 3) -> list[bytes]:
    """`data` cut at uneven places, as a file writer hands it over."""
    sizes = [1, 17, 4096, 3 * MiB + 5, 70_000, 2 * MiB]
    out, at, i = [], 0, seed
    while at < len(data):
        n = sizes[i % len(sizes)]
        out.append(data[at:at + n])
        at, i = at + n, i + 1
    return out


@pytest.mark.parametrize("size", [0, 1000, 3 * PART + 123], ids=["empty", "one-put", "parts"])
def test_streamed_object_holds_the_bytes_and_their_sha256(
        s3_client: Minio, s3_buckets: dict[str, str], size: int) -> None:
    bucket = s3_buckets["datasets"]
    data = os.urandom(size)
    with upload_stream(s3_client, bucket, "v/data.bin", content_type="text/csv",
                       metadata={"origin": "test"}, part_size=PART) as writer:
        for chunk in _chunks(data):
            writer.write(memoryview(chunk))
        assert writer.tell() == size
    stored = writer.stored
    assert stored is not None
    assert get_bytes(s3_client, bucket, "v/data.bin") == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == size
    assert stat(s3_client, bucket, "v/data.bin") == stored
    assert verify_checksum(s3_client, bucket, "v/data.bin").sha256 == stored.sha256
    info = s3_client.stat_object(bucket, "v/data.bin")
    assert info.content_type == "text/csv"
    assert info.metadata is not None and info.metadata.get("x-amz-meta-origin") == "test"
    assert _uploads(s3_client, bucket, "v/data.bin") == []


def test_pyarrow_writes_parquet_straight_into_the_store(
        s3_client: Minio, s3_buckets: dict[str, str]) -> None:
    bucket = s3_buckets["datasets"]
    frame = pl.DataFrame({"i": range(2_000_000), "x": [i * 0.5 for i in range(2_000_000)]})
    with upload_stream(s3_client, bucket, "v/data.parquet", content_type=PARQUET_CONTENT_TYPE,
                       part_size=PART) as writer:
        parquet = pq.ParquetWriter(writer, frame.to_arrow().schema, compression="none")
        for batch in frame.iter_slices(300_000):
            parquet.write_table(batch.to_arrow())
        parquet.close()
    assert writer.stored is not None and writer.stored.size > 2 * PART  # several parts
    data = get_bytes(s3_client, bucket, "v/data.parquet")
    assert hashlib.sha256(data).hexdigest() == writer.stored.sha256
    assert_frame_equal(pl.read_parquet(io.BytesIO(data)), frame)


def test_a_writer_failing_after_parts_went_up_leaves_no_object_and_no_upload(
        s3_client: Minio, s3_buckets: dict[str, str]) -> None:
    bucket = s3_buckets["datasets"]
    before = _keys(s3_client, bucket)
    with pytest.raises(RuntimeError, match="bad row"), \
            upload_stream(s3_client, bucket, "v/data.bin", part_size=PART) as writer:
        for _ in range(4):
            writer.write(os.urandom(PART))
        deadline = time.monotonic() + 30
        while not _parts(s3_client, bucket, "v/data.bin"):  # a part is on the server
            assert time.monotonic() < deadline, "no part was uploaded before the failure"
            time.sleep(0.05)
        raise RuntimeError("bad row")
    assert _uploads(s3_client, bucket, "v/data.bin") == []
    assert _keys(s3_client, bucket) == before


def test_a_failing_upload_surfaces_in_the_writer_and_stores_nothing(
        s3_client: Minio, s3_buckets: dict[str, str]) -> None:
    with pytest.raises(StorageError, match="NoSuchBucket"), \
            upload_stream(s3_client, "missing-bucket-xyz", "v/data.bin", part_size=PART) as w:
        for _ in range(40):  # more than the queue holds: the writer must not hang
            w.write(os.urandom(MiB))
    assert not s3_client.bucket_exists("missing-bucket-xyz")


def test_a_failure_before_the_first_part_leaves_nothing(
        s3_client: Minio, s3_buckets: dict[str, str]) -> None:
    bucket = s3_buckets["datasets"]
    before = _keys(s3_client, bucket)
    with pytest.raises(ValueError, match="late"), \
            upload_stream(s3_client, bucket, "v/small.bin", part_size=PART) as writer:
        writer.write(b"x" * 1000)
        raise ValueError("late")
    assert _keys(s3_client, bucket) == before
    assert _uploads(s3_client, bucket, "v/small.bin") == []
