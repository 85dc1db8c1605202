"""The application's view of the object store: a client from `STORAGE_` settings."""

from __future__ import annotations

from minio import Minio

from storage import StorageSettings, make_client_from_settings


def client_from_settings(settings: StorageSettings | None = None) -> Minio | None:
    """A client for the configured server, or None when no endpoint is configured."""
    settings = settings or StorageSettings()
    if not settings.endpoint or settings.access_key is None or settings.secret_key is None:
        return None
    return make_client_from_settings(settings)


def bucket_prefix() -> str:
    """The configured bucket name prefix."""
    return StorageSettings().bucket_prefix


__all__ = ["bucket_prefix", "client_from_settings"]
