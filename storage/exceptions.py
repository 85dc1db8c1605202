"""Errors raised by the storage package.

Every error derives from ``StorageError``, so a caller can catch the whole family at once::

    StorageError
    ├── ObjectNotFound        the bucket or key does not exist
    ├── ChecksumMismatch      stored bytes do not hash to the SHA-256 on record
    ├── InvalidLifetime       a URL or credential lifetime outside the allowed range (ValueError)
    ├── InvalidScope          a bucket name, key or access scope that is not acceptable (ValueError)
    ├── EmbeddedServerError   the embedded SeaweedFS server could not start or stop
    └── STSError              the STS endpoint refused or garbled an AssumeRole call

Errors that the S3 server reports for any other reason surface as ``minio.error.S3Error``.
"""

from __future__ import annotations

__all__ = [
    "ChecksumMismatch",
    "EmbeddedServerError",
    "InvalidLifetime",
    "InvalidScope",
    "ObjectNotFound",
    "STSError",
    "StorageError",
]


class StorageError(Exception):
    """Base class of every error raised by ``storage``."""


class ObjectNotFound(StorageError):
    """The bucket or the object does not exist."""

    def __init__(self, bucket: str, key: str | None = None) -> None:
        self.bucket = bucket
        self.key = key
        where = bucket if key is None else f"{bucket}/{key}"
        super().__init__(f"no such object: {where}")


class ChecksumMismatch(StorageError):
    """The bytes read or written do not hash to the expected SHA-256."""

    def __init__(self, bucket: str, key: str, *, expected: str, actual: str) -> None:
        self.bucket = bucket
        self.key = key
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"checksum mismatch for {bucket}/{key}: expected sha256 {expected}, got {actual}"
        )


class InvalidLifetime(StorageError, ValueError):
    """A presigned URL or credential lifetime is outside the allowed range."""


class InvalidScope(StorageError, ValueError):
    """A bucket name, object key, prefix or access scope is not acceptable."""


class EmbeddedServerError(StorageError):
    """The embedded S3 server failed to start, became unreachable, or would not stop."""


class STSError(StorageError):
    """The STS endpoint refused an AssumeRole request or answered something unusable."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        self.code = code
        self.status = status
        super().__init__(message)
