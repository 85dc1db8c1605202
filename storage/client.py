"""The one place where a ``Minio`` client is built."""

from __future__ import annotations

from urllib.parse import urlsplit

import urllib3
from minio import Minio
from pydantic import SecretStr

from storage.exceptions import StorageError
from storage.settings import StorageSettings

__all__ = ["endpoint_url", "make_client", "make_client_from_settings", "split_endpoint"]


def _reveal(value: str | SecretStr) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def split_endpoint(endpoint: str, *, secure: bool = False) -> tuple[str, bool]:
    """Return ``(host:port, secure)`` for ``"host:port"`` or ``"http(s)://host:port"``."""
    if "://" not in endpoint:
        endpoint = f"{'https' if secure else 'http'}://{endpoint}"
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StorageError(f"S3 endpoint must be host:port or http(s)://host:port: {endpoint!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise StorageError(f"S3 endpoint must not carry a path, query or user: {endpoint!r}")
    # A scheme in the URL is explicit and wins over the flag.
    return parts.netloc, parts.scheme == "https"


def endpoint_url(endpoint: str, *, secure: bool = False) -> str:
    """Return the endpoint as a URL with scheme and no trailing slash."""
    netloc, is_secure = split_endpoint(endpoint, secure=secure)
    return f"{'https' if is_secure else 'http'}://{netloc}"


def make_client(
    *,
    endpoint: str,
    access_key: str | SecretStr,
    secret_key: str | SecretStr,
    region: str = "us-east-1",
    secure: bool = False,
    session_token: str | None = None,
    http_client: urllib3.PoolManager | None = None,
) -> Minio:
    """Build a ``Minio`` client for an S3 endpoint given as ``host:port`` or a URL."""
    netloc, is_secure = split_endpoint(endpoint, secure=secure)
    # An explicit region spares a GetBucketLocation round trip before each presign.
    return Minio(
        netloc,
        access_key=_reveal(access_key),
        secret_key=_reveal(secret_key),
        session_token=session_token,
        secure=is_secure,
        region=region,
        http_client=http_client,
    )


def make_client_from_settings(settings: StorageSettings) -> Minio:
    """Build a client for an external server described by ``StorageSettings``."""
    if settings.endpoint is None or settings.access_key is None or settings.secret_key is None:
        raise StorageError("settings name no external endpoint; use EmbeddedS3 for the default")
    return make_client(
        endpoint=settings.endpoint,
        access_key=settings.access_key,
        secret_key=settings.secret_key,
        region=settings.region,
        secure=settings.secure,
    )
