"""Where dataset versions live in the object store, and reading them back in part.

`<bucket prefix>datasets/<dataset id>/<version id>/` holds `source.csv` or `source.parquet`
(the upload as received), `data.parquet` (the converted version) and `rollup.parquet`
(its zone × hour statistics, see `rollups`). Keys use the version's
id, not its number: a number freed by a failed upload may be taken again, an id never is.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from minio import Minio

from lab.datasets.rollups import ROLLUP_FILE
from lab.objectstore import bucket_prefix
from storage import ChecksumMismatch, StorageError, StoredObject, bucket_name, stat, verify_checksum

DATA_FILE = "data.parquet"
_CHUNK = 1024 * 1024


def bucket() -> str:
    """The datasets bucket under the configured prefix."""
    return bucket_name("datasets", bucket_prefix())


def version_prefix(dataset_id: uuid.UUID, version_id: uuid.UUID) -> str:
    """The folder of one version."""
    return f"{dataset_id}/{version_id}/"


def source_key(dataset_id: uuid.UUID, version_id: uuid.UUID, source_format: str) -> str:
    """Where the upload as received is kept."""
    return f"{version_prefix(dataset_id, version_id)}source.{source_format}"


def data_key(dataset_id: uuid.UUID, version_id: uuid.UUID) -> str:
    """Where the converted Parquet is kept."""
    return f"{version_prefix(dataset_id, version_id)}{DATA_FILE}"


def rollup_key(dataset_id: uuid.UUID, version_id: uuid.UUID) -> str:
    """Where the version's zone × hour rollup is kept (versions converted since it exists)."""
    return f"{version_prefix(dataset_id, version_id)}{ROLLUP_FILE}"


def download(client: Minio, bucket_name_: str, key: str, path: Path, *, sha256: str) -> None:
    """Copy an object to a local file, checking it hashes to `sha256` as it streams."""
    digest = hashlib.sha256()
    response = client.get_object(bucket_name_, key)
    try:
        with open(path, "wb") as fh:
            for chunk in response.stream(_CHUNK):
                digest.update(chunk)
                fh.write(chunk)
    finally:
        response.close()
        response.release_conn()
    if digest.hexdigest() != sha256:
        raise ChecksumMismatch(bucket_name_, key, expected=sha256, actual=digest.hexdigest())


def check_in_place(client: Minio, bucket_name_: str, key: str, *, size: int | None,
                   sha256: str, etag: str | None) -> StoredObject:
    """The upload as stored, if it still is what was recorded when it was received.

    Size, SHA-256 on record and (when recorded) ETag must match; then its bytes are hashed
    as they stream, without a local copy, and the ETag they came with must be the same.
    A reader that then reads it in place checks with `check_unchanged` that it still is.
    """
    found = stat(client, bucket_name_, key)
    recorded = {"size": size, "sha256": sha256, "etag": etag}
    seen = {"size": found.size, "sha256": found.sha256, "etag": found.etag.strip('"')}
    for what in ("size", "sha256", "etag"):
        if recorded[what] is not None and recorded[what] != seen[what]:
            raise StorageError(f"{bucket_name_}/{key} changed since it was received: its "
                               f"{what} is {seen[what]}, {recorded[what]} was recorded")
    hashed = verify_checksum(client, bucket_name_, key, expected=sha256)
    check_unchanged(client, found, hashed)
    return found


def check_unchanged(client: Minio, before: StoredObject,
                    now: StoredObject | None = None) -> None:
    """Raise unless the object still has the size and ETag it had (`now`, or a new stat)."""
    now = now or stat(client, before.bucket, before.key)
    if (now.size, now.etag.strip('"')) != (before.size, before.etag.strip('"')):
        raise StorageError(f"{before.bucket}/{before.key} changed while it was read: size "
                           f"{now.size} and ETag {now.etag}, {before.size} and "
                           f"{before.etag} before")


class RangedObject(io.RawIOBase):
    """A read-only, seekable file over one object: each read is one ranged GET.

    Handed to `pyarrow.parquet.ParquetFile`, it fetches the footer and then only the column
    chunks asked for, never the whole object. `bytes_read` counts what came over the wire.
    """

    def __init__(self, client: Minio, bucket_name_: str, key: str) -> None:
        super().__init__()
        self._client, self._bucket, self._key = client, bucket_name_, key
        self.size = client.stat_object(bucket_name_, key).size or 0
        self._position = 0
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        length = min(len(buffer), self.size - self._position)
        if length <= 0:
            return 0
        response = self._client.get_object(self._bucket, self._key, offset=self._position,
                                           length=length)
        try:
            data = response.read()
        finally:
            response.close()
            response.release_conn()
        buffer[: len(data)] = data
        self._position += len(data)
        self.bytes_read += len(data)
        return len(data)


def first_batch(source: RangedObject, limit: int) -> Any:
    """The first `limit` rows of a Parquet object, read from its first row group only."""
    parquet = pq.ParquetFile(source, pre_buffer=False)
    if parquet.metadata.num_rows == 0:
        return parquet.schema_arrow.empty_table()
    return next(parquet.iter_batches(batch_size=limit, row_groups=[0]))


__all__ = ["DATA_FILE", "RangedObject", "bucket", "check_in_place", "check_unchanged",
           "data_key", "download", "first_batch", "rollup_key", "source_key", "version_prefix"]
