"""Terrain's object store: buckets, checksummed objects, presigned URLs, scoped credentials."""

from storage.buckets import PURPOSES, Purpose, bucket_name, bucket_names, ensure_buckets
from storage.client import endpoint_url, make_client, make_client_from_settings, split_endpoint
from storage.embedded import EmbeddedS3
from storage.exceptions import (
    ChecksumMismatch,
    EmbeddedServerError,
    InvalidLifetime,
    InvalidScope,
    ObjectNotFound,
    StorageError,
    STSError,
)
from storage.names import check_bucket_name, check_key, check_prefix
from storage.objects import (
    PARQUET_CONTENT_TYPE,
    SHA256_METADATA,
    StoredObject,
    delete_prefix,
    get_bytes,
    put_bytes,
    put_file,
    put_stream,
    read_parquet,
    stat,
    verify_checksum,
    write_parquet,
)
from storage.policy import (
    READ_ACTIONS,
    WRITE_ACTIONS,
    Access,
    Scope,
    session_policy,
    session_policy_json,
)
from storage.presign import (
    DEFAULT_MAX_LIFETIME,
    PresignedURL,
    check_lifetime,
    presigned_get,
    presigned_put,
)
from storage.settings import StorageSettings
from storage.sts import (
    MAX_DURATION,
    MIN_DURATION,
    TemporaryCredentials,
    assume_role,
    polars_storage_options,
)
from storage.weed import find_weed

__all__ = [
    "DEFAULT_MAX_LIFETIME",
    "MAX_DURATION",
    "MIN_DURATION",
    "PARQUET_CONTENT_TYPE",
    "PURPOSES",
    "READ_ACTIONS",
    "SHA256_METADATA",
    "WRITE_ACTIONS",
    "Access",
    "ChecksumMismatch",
    "EmbeddedS3",
    "EmbeddedServerError",
    "InvalidLifetime",
    "InvalidScope",
    "ObjectNotFound",
    "PresignedURL",
    "Purpose",
    "STSError",
    "Scope",
    "StorageError",
    "StorageSettings",
    "StoredObject",
    "TemporaryCredentials",
    "assume_role",
    "bucket_name",
    "bucket_names",
    "check_bucket_name",
    "check_key",
    "check_lifetime",
    "check_prefix",
    "delete_prefix",
    "endpoint_url",
    "ensure_buckets",
    "find_weed",
    "get_bytes",
    "make_client",
    "make_client_from_settings",
    "polars_storage_options",
    "presigned_get",
    "presigned_put",
    "put_bytes",
    "put_file",
    "put_stream",
    "read_parquet",
    "session_policy",
    "session_policy_json",
    "split_endpoint",
    "stat",
    "verify_checksum",
    "write_parquet",
]
