"""The application's view of the object store: a client from `STORAGE_` settings."""

from __future__ import annotations

from minio import Minio

from storage import StorageSettings, client_info, make_client, make_client_from_settings


def client_from_settings(settings: StorageSettings | None = None) -> Minio | None:
    """A client for the configured server, or None when no endpoint is configured."""
    settings = settings or StorageSettings()
    if not settings.endpoint or settings.access_key is None or settings.secret_key is None:
        return None
    return make_client_from_settings(settings)


def bucket_prefix() -> str:
    """The configured bucket name prefix."""
    return StorageSettings().bucket_prefix


def public_client(client: Minio) -> Minio:
    """A client that signs for the public endpoint (`STORAGE_PUBLIC_ENDPOINT`), with the same
    credentials and region; the client itself when no public endpoint is set. Presigning is
    offline, so this client never needs to reach that address from here."""
    public = StorageSettings().public_endpoint
    if not public:
        return client
    info = client_info(client)
    return make_client(endpoint=public, access_key=info.access_key, secret_key=info.secret_key,
                       region=info.region, secure=info.secure)


__all__ = ["bucket_prefix", "client_from_settings", "public_client"]
