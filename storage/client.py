"""The one place where a ``Minio`` client is built."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from pydantic import SecretStr

from storage.exceptions import StorageError
from storage.settings import StorageSettings

__all__ = ["ClientInfo", "client_info", "endpoint_url", "make_client", "make_client_from_settings",
           "polars_options", "split_endpoint"]


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


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Where a client points and the credentials it signs with (the secret stays hidden)."""

    endpoint: str
    secure: bool
    region: str
    access_key: str
    secret_key: SecretStr

    @property
    def url(self) -> str:
        """The endpoint as a URL."""
        return endpoint_url(self.endpoint, secure=self.secure)


def client_info(client: Minio) -> ClientInfo:
    """Endpoint, region and credentials of a client built by `make_client`."""
    # minio keeps these on private attributes, stable across 7.x; this is the one place
    # that reads them.
    base = client._base_url
    credentials = client._provider.retrieve() if client._provider is not None else None
    if credentials is None:
        raise StorageError("the object store client has no credentials")
    return ClientInfo(endpoint=base.host, secure=base.is_https, region=base.region or "us-east-1",
                      access_key=credentials.access_key,
                      secret_key=SecretStr(credentials.secret_key))


def polars_options(info: ClientInfo) -> dict[str, str]:
    """`storage_options` for `pl.scan_parquet("s3://…")` with a client's own credentials."""
    options = {
        "aws_access_key_id": info.access_key,
        "aws_secret_access_key": info.secret_key.get_secret_value(),
        "aws_region": info.region,
        "aws_endpoint_url": info.url,
        # Path-style addressing: bucket names are not DNS names on a private endpoint.
        "aws_virtual_hosted_style_request": "false",
    }
    if not info.secure:
        options["aws_allow_http"] = "true"
    return options
