"""Short-lived presigned GET and PUT URLs with a bounded lifetime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from minio import Minio

from storage.exceptions import InvalidLifetime
from storage.names import check_key

__all__ = [
    "DEFAULT_MAX_LIFETIME",
    "PresignedURL",
    "check_lifetime",
    "presigned_get",
    "presigned_put",
]

DEFAULT_MAX_LIFETIME = timedelta(hours=1)
# Signature V4 refuses X-Amz-Expires above seven days.
_SIGV4_MAX = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PresignedURL:
    """A presigned URL, the HTTP method it allows, and when it stops working (UTC)."""

    url: str
    method: Literal["GET", "PUT"]
    expires_at: datetime


def check_lifetime(lifetime: timedelta, max_lifetime: timedelta = DEFAULT_MAX_LIFETIME) -> int:
    """Return ``lifetime`` in whole seconds, or raise InvalidLifetime if out of range."""
    if max_lifetime > _SIGV4_MAX:
        raise InvalidLifetime(f"maximum lifetime {max_lifetime} exceeds SigV4's 7 days")
    # X-Amz-Expires counts whole seconds; round down so the URL never outlives what was asked.
    seconds = int(lifetime.total_seconds())
    if seconds < 1:
        raise InvalidLifetime(f"lifetime {lifetime} must be at least one second")
    if lifetime > max_lifetime:
        raise InvalidLifetime(f"lifetime {lifetime} exceeds the maximum of {max_lifetime}")
    return seconds


def _presign(
    client: Minio,
    method: Literal["GET", "PUT"],
    bucket: str,
    key: str,
    lifetime: timedelta,
    max_lifetime: timedelta,
) -> PresignedURL:
    check_key(key)
    seconds = check_lifetime(lifetime, max_lifetime)
    # X-Amz-Date has one-second resolution: sign with a whole second so expires_at is exact.
    signed_at = datetime.now(UTC).replace(microsecond=0)
    url = client.get_presigned_url(
        method, bucket, key, expires=timedelta(seconds=seconds), request_date=signed_at
    )
    return PresignedURL(url, method, signed_at + timedelta(seconds=seconds))


def presigned_get(
    client: Minio,
    bucket: str,
    key: str,
    *,
    lifetime: timedelta,
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME,
) -> PresignedURL:
    """Return a URL that downloads ``bucket/key`` until ``lifetime`` has passed."""
    return _presign(client, "GET", bucket, key, lifetime, max_lifetime)


def presigned_put(
    client: Minio,
    bucket: str,
    key: str,
    *,
    lifetime: timedelta,
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME,
) -> PresignedURL:
    """Return a URL that uploads to ``bucket/key`` until ``lifetime`` has passed."""
    return _presign(client, "PUT", bucket, key, lifetime, max_lifetime)
