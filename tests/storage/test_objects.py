"""Objects against the real S3 server: checksums, Parquet, buckets, failed uploads."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from minio import Minio
from polars.testing import assert_frame_equal

from storage import (
    PARQUET_CONTENT_TYPE,
    PURPOSES,
    ChecksumMismatch,
    InvalidScope,
    ObjectNotFound,
    delete_prefix,
    ensure_buckets,
    get_bytes,
    put_bytes,
    put_file,
    put_stream,
    read_parquet,
    stat,
    verify_checksum,
    write_parquet,
)

pytestmark = pytest.mark.s3

MiB = 1024 * 1024


class FailingStream(io.RawIOBase):
    """Yields ``fail_after`` bytes of data, then raises as a broken upload source would."""

    def __init__(self, fail_after: int) -> None:
        self.remaining = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.remaining <= 0:
            raise OSError("connection to the source reset")
        n = min(len(buffer), self.remaining)
        buffer[:n] = b"z" * n
        self.remaining -= n
        return n


def _keys(client: Minio, bucket: str, prefix: str = "") -> list[str]:
    return sorted(o.object_name or "" for o in client.list_objects(bucket, prefix, recursive=True))


def test_put_get_round_trip_records_sha256_computed_independently(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["datasets"]
    data = os.urandom(300_000)
    expected = hashlib.sha256(data).hexdigest()

    stored = put_bytes(s3_client, bucket, "d1/v1/original.csv", data, content_type="text/csv")

    assert (stored.bucket, stored.key, stored.size, stored.sha256) == (
        bucket,
        "d1/v1/original.csv",
        len(data),
        expected,
    )
    assert get_bytes(s3_client, bucket, "d1/v1/original.csv") == data
    # The digest is on the server, not only in what put_bytes returned.
    raw = s3_client.stat_object(bucket, "d1/v1/original.csv")
    assert raw.metadata is not None and raw.metadata["x-amz-meta-sha256"] == expected
    assert stat(s3_client, bucket, "d1/v1/original.csv") == stored
    assert verify_checksum(s3_client, bucket, "d1/v1/original.csv").sha256 == expected


def test_stream_of_unknown_length_goes_multipart_with_whole_object_sha256(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["workspaces"]
    data = os.urandom(12 * MiB + 17)  # above minio's 5 MiB part: a multipart upload

    stored = put_stream(s3_client, bucket, "p1/measurements/big.bin", io.BytesIO(data))

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.etag.endswith("-3"), "12 MiB in 5 MiB parts"
    assert get_bytes(s3_client, bucket, "p1/measurements/big.bin") == data


def test_put_file_records_size_and_sha256(
    s3_client: Minio, s3_buckets: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(os.urandom(70_000))

    stored = put_file(s3_client, s3_buckets["attachments"], "p1/f1/photo.jpg", path)

    assert stored.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stored.size == 70_000
    assert get_bytes(s3_client, s3_buckets["attachments"], "p1/f1/photo.jpg") == path.read_bytes()


@pytest.mark.parametrize("fail_after", [100_000, 7 * MiB], ids=["single-part", "multipart"])
def test_stream_failing_midway_leaves_no_object(
    s3_client: Minio, s3_buckets: dict[str, str], fail_after: int
) -> None:
    bucket = s3_buckets["workspaces"]

    with pytest.raises(OSError, match="reset"):
        put_stream(s3_client, bucket, "p1/broken.bin", io.BufferedReader(FailingStream(fail_after)))

    with pytest.raises(ObjectNotFound):
        stat(s3_client, bucket, "p1/broken.bin")
    assert _keys(s3_client, bucket) == []


def test_failed_overwrite_keeps_the_previous_version(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["reports"]
    first = put_bytes(s3_client, bucket, "p1/e1/report.json", b'{"ok": true}')

    with pytest.raises(OSError):
        put_stream(s3_client, bucket, "p1/e1/report.json", io.BufferedReader(FailingStream(10)))

    assert stat(s3_client, bucket, "p1/e1/report.json") == first
    assert get_bytes(s3_client, bucket, "p1/e1/report.json") == b'{"ok": true}'


def test_corrupted_object_is_detected_on_read_and_verify(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["datasets"]
    # Written behind the package's back, with a digest that does not match the bytes.
    wrong = hashlib.sha256(b"something else").hexdigest()
    s3_client.put_object(
        bucket, "d1/v1/data.bin", io.BytesIO(b"data"), 4, metadata={"sha256": wrong}
    )

    with pytest.raises(ChecksumMismatch) as info:
        get_bytes(s3_client, bucket, "d1/v1/data.bin")
    assert info.value.expected == wrong
    assert info.value.actual == hashlib.sha256(b"data").hexdigest()
    with pytest.raises(ChecksumMismatch):
        verify_checksum(s3_client, bucket, "d1/v1/data.bin")
    assert get_bytes(s3_client, bucket, "d1/v1/data.bin", verify=False) == b"data"
    good = hashlib.sha256(b"data").hexdigest()
    assert verify_checksum(s3_client, bucket, "d1/v1/data.bin", expected=good).sha256 == good


def test_parquet_round_trip_keeps_types_values_and_nulls(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["sandbox"]
    df = pl.DataFrame(
        {
            "zone": ["Z1", "Z2", None, "Z4"],
            "day": [date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3), None],
            "count": pl.Series([1, 2, None, 4], dtype=pl.Int32),
            "speed": [12.5, None, 30.25, 0.0],
            "flag": [True, False, None, True],
        }
    )

    stored = write_parquet(s3_client, bucket, "g1/d1.parquet", df, compression="zstd")

    assert_frame_equal(read_parquet(s3_client, bucket, "g1/d1.parquet"), df)
    assert_frame_equal(
        read_parquet(s3_client, bucket, "g1/d1.parquet", columns=["zone", "speed"]),
        df.select("zone", "speed"),
    )
    raw = get_bytes(s3_client, bucket, "g1/d1.parquet")
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()
    assert s3_client.stat_object(bucket, "g1/d1.parquet").content_type == PARQUET_CONTENT_TYPE


def test_ensure_buckets_is_idempotent_and_safe_concurrently(s3_client: Minio) -> None:
    prefix = f"e{uuid.uuid4().hex[:8]}-"
    expected = [f"{prefix}{p}" for p in PURPOSES]
    try:
        assert ensure_buckets(s3_client, prefix) == expected
        assert ensure_buckets(s3_client, prefix) == expected
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda _: ensure_buckets(s3_client, prefix), range(4)))
        assert results == [expected] * 4
        existing = {b.name for b in s3_client.list_buckets()}
        assert set(expected) <= existing
    finally:
        for name in expected:
            if s3_client.bucket_exists(name):
                s3_client.remove_bucket(name)


def test_concurrent_first_creation_tolerates_the_race(s3_client: Minio) -> None:
    prefix = f"r{uuid.uuid4().hex[:8]}-"
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda _: ensure_buckets(s3_client, prefix), range(4)))
        assert all(r == results[0] for r in results)
        assert all(s3_client.bucket_exists(name) for name in results[0])
    finally:
        for name in [f"{prefix}{p}" for p in PURPOSES]:
            if s3_client.bucket_exists(name):
                s3_client.remove_bucket(name)


def test_delete_prefix_removes_exactly_the_subtree(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["sandbox"]
    for key in ["g1/a.parquet", "g1/manifest.json", "g1/sub/b.parquet", "g10/a.parquet", "g2/a"]:
        put_bytes(s3_client, bucket, key, b"x")

    assert delete_prefix(s3_client, bucket, "g1/") == 3

    assert _keys(s3_client, bucket) == ["g10/a.parquet", "g2/a"]
    assert delete_prefix(s3_client, bucket, "g1/") == 0
    for bad in ["", "g2"]:
        with pytest.raises(InvalidScope):
            delete_prefix(s3_client, bucket, bad)


def test_missing_objects_and_buckets_raise_object_not_found(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["datasets"]
    with pytest.raises(ObjectNotFound):
        get_bytes(s3_client, bucket, "nope/missing.bin")
    with pytest.raises(ObjectNotFound):
        stat(s3_client, bucket, "nope/missing.bin")
    with pytest.raises(ObjectNotFound):
        verify_checksum(s3_client, bucket, "nope/missing.bin")
    with pytest.raises(ObjectNotFound) as info:
        put_bytes(s3_client, "no-such-bucket-here", "k", b"x")
    assert info.value.key is None
