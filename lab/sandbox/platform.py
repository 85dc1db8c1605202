"""The platform's own view of the object store: its buckets, endpoint and root credentials.

The credentials are the ones the platform's `Minio` client was built with: the extract job
reads dataset versions with them, and STS issues scoped credentials on their authority.
They never leave this process.
"""

from __future__ import annotations

import uuid
from typing import Any

from minio import Minio

from lab.exceptions import ServiceUnavailable
from lab.objectstore import bucket_prefix
from storage import ClientInfo, StorageError, bucket_name, client_info, polars_options

# The platform's view of a client: where it points, the credentials it signs with.
Platform = ClientInfo


def require(client: Any) -> Minio:
    """The object store client, or 503 when the platform has none configured."""
    if client is None:
        raise ServiceUnavailable("No object store is configured (set STORAGE_ENDPOINT, or "
                                 "start the platform with `lab up`).")
    return client  # type: ignore[no-any-return]


def platform_of(client: Minio) -> Platform:
    """Endpoint, region and root credentials of the platform's client."""
    try:
        return client_info(client)
    except StorageError as exc:
        raise ServiceUnavailable("The object store client has no credentials.") from exc


def storage_options(platform: Platform) -> dict[str, str]:
    """`storage_options` for Polars reading with the platform's own credentials."""
    return polars_options(platform)


def datasets_bucket() -> str:
    """The bucket that holds dataset versions."""
    return bucket_name("datasets", bucket_prefix())


def sandbox_bucket() -> str:
    """The bucket that holds grants' extracts."""
    return bucket_name("sandbox", bucket_prefix())


def workspaces_bucket() -> str:
    """The bucket that holds what startups upload."""
    return bucket_name("workspaces", bucket_prefix())


def grant_prefix(grant_id: uuid.UUID) -> str:
    """The folder of one grant's extract in the sandbox bucket."""
    return f"{grant_id}/"


def extract_key(grant_id: uuid.UUID, dataset_id: uuid.UUID) -> str:
    """The extract's Parquet object."""
    return f"{grant_prefix(grant_id)}{dataset_id}.parquet"


def manifest_key(grant_id: uuid.UUID) -> str:
    """The extract's manifest."""
    return f"{grant_prefix(grant_id)}manifest.json"


__all__ = ["Platform", "datasets_bucket", "extract_key", "grant_prefix", "manifest_key",
           "platform_of", "require", "sandbox_bucket", "storage_options", "workspaces_bucket"]
