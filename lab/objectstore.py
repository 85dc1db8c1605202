"""The application's view of the object store: a client from `STORAGE_` settings."""

from __future__ import annotations

from minio import Minio

from storage import StorageSettings, endpoint_url, make_client_from_settings


def client_from_settings(settings: StorageSettings | None = None) -> Minio | None:
    """A client for the configured server, or None when no endpoint is configured."""
    settings = settings or StorageSettings()
    if not settings.endpoint or settings.access_key is None or settings.secret_key is None:
        return None
    return make_client_from_settings(settings)


def bucket_prefix() -> str:
    """The configured bucket name prefix."""
    return StorageSettings().bucket_prefix


def polars_options(settings: StorageSettings | None = None) -> dict[str, str]:
    """`storage_options` for Polars scans with the platform's own credentials (server side)."""
    settings = settings or StorageSettings()
    if not settings.endpoint or settings.access_key is None or settings.secret_key is None:
        raise RuntimeError("no object store is configured (STORAGE_ENDPOINT and keys)")
    url = endpoint_url(settings.endpoint, secure=settings.secure)
    options = {
        "aws_access_key_id": settings.access_key.get_secret_value(),
        "aws_secret_access_key": settings.secret_key.get_secret_value(),
        "aws_region": settings.region,
        "aws_endpoint_url": url,
        "aws_virtual_hosted_style_request": "false",
    }
    if url.startswith("http://"):
        options["aws_allow_http"] = "true"
    return options


__all__ = ["bucket_prefix", "client_from_settings", "polars_options"]
