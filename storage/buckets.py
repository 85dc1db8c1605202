"""The platform's buckets: one per purpose, named with a configurable prefix."""

from __future__ import annotations

from typing import Literal, get_args

from minio import Minio
from minio.error import S3Error

from storage.exceptions import InvalidScope
from storage.names import check_bucket_name

__all__ = ["PURPOSES", "Purpose", "bucket_name", "bucket_names", "ensure_buckets"]

Purpose = Literal["datasets", "sandbox", "workspaces", "reports", "attachments"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)

# "It is there and it is ours": a concurrent creator won the race. BucketAlreadyExists
# (someone else's bucket) stays an error.
_ALREADY_OURS = frozenset({"BucketAlreadyOwnedByYou"})


def bucket_name(purpose: Purpose, prefix: str = "terrain-") -> str:
    """Return the bucket name for ``purpose`` under ``prefix`` (e.g. ``terrain-datasets``)."""
    if purpose not in PURPOSES:
        raise InvalidScope(f"unknown bucket purpose {purpose!r}; expected one of {PURPOSES}")
    return check_bucket_name(f"{prefix}{purpose}")


def bucket_names(prefix: str = "terrain-") -> dict[Purpose, str]:
    """Return every purpose's bucket name under ``prefix``."""
    return {purpose: bucket_name(purpose, prefix) for purpose in PURPOSES}


def ensure_buckets(client: Minio, prefix: str = "terrain-") -> list[str]:
    """Create the missing purpose buckets and return all their names; safe to repeat."""
    names = list(bucket_names(prefix).values())
    for name in names:
        if client.bucket_exists(name):
            continue
        try:
            client.make_bucket(name)
        except S3Error as exc:
            # Another process may create it between our check and our call.
            if exc.code not in _ALREADY_OURS:
                raise
    return names
