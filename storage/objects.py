"""Objects with a SHA-256 on record: write, read, verify, delete, and Parquet frames."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar, cast

import polars as pl
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import S3Error

from storage.exceptions import ChecksumMismatch, ObjectNotFound, StorageError
from storage.names import check_key, check_prefix

__all__ = [
    "PARQUET_CONTENT_TYPE",
    "SHA256_METADATA",
    "StoredObject",
    "delete_prefix",
    "get_bytes",
    "put_bytes",
    "put_file",
    "put_stream",
    "read_parquet",
    "stat",
    "verify_checksum",
    "write_parquet",
]

SHA256_METADATA = "sha256"
PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"
_META_HEADER = f"x-amz-meta-{SHA256_METADATA}"
_CHUNK = 1024 * 1024
_NOT_FOUND = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One stored object; ``sha256`` is None only for objects written outside this package."""

    bucket: str
    key: str
    size: int
    sha256: str | None
    etag: str


class _HashingReader:
    """File-like wrapper that hashes and counts exactly the bytes handed to the uploader."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._hash.update(chunk)
        self.count += len(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _not_found(bucket: str, key: str | None, call: Callable[[], _T]) -> _T:
    try:
        return call()
    except S3Error as exc:
        if exc.code in _NOT_FOUND:
            raise ObjectNotFound(bucket, None if exc.code == "NoSuchBucket" else key) from exc
        raise


def _upload(
    client: Minio,
    bucket: str,
    key: str,
    source: IO[bytes],
    *,
    size: int,
    sha256: str,
    content_type: str,
    metadata: Mapping[str, str] | None,
) -> StoredObject:
    check_key(key)
    # The digest travels as a header, so it must be known before the first byte is sent.
    headers: dict[str, str | list[str] | tuple[str]] = {
        **(metadata or {}),
        SHA256_METADATA: sha256,
    }
    reader = _HashingReader(source)
    result = _not_found(
        bucket,
        key,
        lambda: client.put_object(
            bucket, key, cast(BinaryIO, reader), size, content_type=content_type, metadata=headers
        ),
    )
    # A PUT (or a completed multipart upload) replaces the object atomically; a failure before
    # that leaves the previous version, or nothing, and minio aborts an unfinished multipart.
    if reader.count != size or reader.hexdigest() != sha256:
        client.remove_object(bucket, key)
        raise ChecksumMismatch(bucket, key, expected=sha256, actual=reader.hexdigest())
    return StoredObject(bucket, key, size, sha256, result.etag or "")


def put_bytes(
    client: Minio,
    bucket: str,
    key: str,
    data: bytes,
    *,
    content_type: str = "application/octet-stream",
    metadata: Mapping[str, str] | None = None,
) -> StoredObject:
    """Store ``data`` at ``bucket/key`` with its SHA-256 in the object's metadata."""
    return _upload(
        client,
        bucket,
        key,
        io.BytesIO(data),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
        metadata=metadata,
    )


def put_stream(
    client: Minio,
    bucket: str,
    key: str,
    stream: BinaryIO,
    *,
    content_type: str = "application/octet-stream",
    metadata: Mapping[str, str] | None = None,
    spool_memory: int = 8 * _CHUNK,
) -> StoredObject:
    """Store a stream of unknown length; a stream that fails mid-way stores nothing."""
    digest = hashlib.sha256()
    # Spooling (memory first, then disk) yields the digest before the upload starts, and an
    # error in the source surfaces before any byte reaches the server.
    with tempfile.SpooledTemporaryFile(max_size=spool_memory) as spool:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            spool.write(chunk)
        size = spool.tell()
        spool.seek(0)
        return _upload(
            client,
            bucket,
            key,
            spool,
            size=size,
            sha256=digest.hexdigest(),
            content_type=content_type,
            metadata=metadata,
        )


def put_file(
    client: Minio,
    bucket: str,
    key: str,
    path: str | Path,
    *,
    content_type: str = "application/octet-stream",
    metadata: Mapping[str, str] | None = None,
) -> StoredObject:
    """Store a local file; if it changes while uploading, the object is removed and we raise."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
        size = fh.tell()
        fh.seek(0)
        return _upload(
            client,
            bucket,
            key,
            fh,
            size=size,
            sha256=digest.hexdigest(),
            content_type=content_type,
            metadata=metadata,
        )


@contextmanager
def _opened(client: Minio, bucket: str, key: str) -> Iterator[Any]:
    response = _not_found(bucket, key, lambda: client.get_object(bucket, key))
    try:
        yield response
    finally:
        response.close()
        response.release_conn()


def get_bytes(client: Minio, bucket: str, key: str, *, verify: bool = True) -> bytes:
    """Read a whole object; with ``verify``, check it against the SHA-256 on record."""
    with _opened(client, bucket, key) as response:
        data: bytes = response.read()
        expected = response.headers.get(_META_HEADER)
    if verify and expected is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise ChecksumMismatch(bucket, key, expected=expected, actual=actual)
    return data


def stat(client: Minio, bucket: str, key: str) -> StoredObject:
    """Return size, etag and recorded SHA-256 of an object without reading it."""
    info = _not_found(bucket, key, lambda: client.stat_object(bucket, key))
    sha256 = info.metadata.get(_META_HEADER) if info.metadata is not None else None
    return StoredObject(bucket, key, info.size or 0, sha256, info.etag or "")


def verify_checksum(
    client: Minio, bucket: str, key: str, expected: str | None = None
) -> StoredObject:
    """Hash an object as it streams; raise ChecksumMismatch unless it matches ``expected``."""
    # Without ``expected``, the SHA-256 recorded in the object's metadata is the reference.
    digest = hashlib.sha256()
    size = 0
    with _opened(client, bucket, key) as response:
        recorded = response.headers.get(_META_HEADER)
        etag = (response.headers.get("etag") or "").strip('"')
        for chunk in response.stream(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    want = expected if expected is not None else recorded
    if want is None:
        raise StorageError(f"no SHA-256 on record for {bucket}/{key} and none given")
    actual = digest.hexdigest()
    if actual != want.lower():
        raise ChecksumMismatch(bucket, key, expected=want, actual=actual)
    return StoredObject(bucket, key, size, actual, etag)


def delete_prefix(client: Minio, bucket: str, prefix: str) -> int:
    """Delete every object under ``prefix`` (which must end with '/'); return how many."""
    check_prefix(prefix)
    keys = [
        obj.object_name
        for obj in _not_found(
            bucket, None, lambda: list(client.list_objects(bucket, prefix=prefix, recursive=True))
        )
        if obj.object_name is not None
    ]
    if keys:
        errors = list(client.remove_objects(bucket, (DeleteObject(k) for k in keys)))
        if errors:
            first = errors[0]
            raise StorageError(
                f"could not delete {len(errors)} of {len(keys)} objects under {bucket}/"
                f"{prefix}: {first.name}: {first.code} {first.message}"
            )
    # Servers with a filer (SeaweedFS) keep the emptied folder listed as `prefix/`: remove
    # it too (deleting a key that does not exist is a success in S3).
    client.remove_object(bucket, prefix)
    return len(keys)


def write_parquet(
    client: Minio,
    bucket: str,
    key: str,
    df: pl.DataFrame,
    *,
    metadata: Mapping[str, str] | None = None,
    **parquet_options: Any,
) -> StoredObject:
    """Write ``df`` as Parquet (options go to ``DataFrame.write_parquet``) and store it."""
    with tempfile.TemporaryDirectory(prefix="terrain-parquet-") as tmp:
        path = Path(tmp) / "data.parquet"
        df.write_parquet(path, **parquet_options)
        return put_file(
            client, bucket, key, path, content_type=PARQUET_CONTENT_TYPE, metadata=metadata
        )


def read_parquet(
    client: Minio,
    bucket: str,
    key: str,
    *,
    columns: Sequence[str] | None = None,
    verify: bool = True,
) -> pl.DataFrame:
    """Read a Parquet object into a DataFrame, checking its SHA-256 when one is on record."""
    data = get_bytes(client, bucket, key, verify=verify)
    return pl.read_parquet(io.BytesIO(data), columns=list(columns) if columns else None)
