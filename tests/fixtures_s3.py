"""Pytest fixtures backed by the real S3 server: SeaweedFS ``weed mini``, once per session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from minio import Minio
from minio.deleteobjects import DeleteObject

from storage import EmbeddedS3, Purpose, bucket_names, ensure_buckets

__all__ = ["s3_buckets", "s3_client", "s3_server"]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedS3]:
    """One embedded S3 server for the whole test session."""
    with EmbeddedS3(tmp_path_factory.mktemp("s3-server")) as server:
        yield server


@pytest.fixture
def s3_client(s3_server: EmbeddedS3) -> Minio:
    """A root client of the session's S3 server."""
    return s3_server.client()


@pytest.fixture
def s3_buckets(s3_client: Minio) -> Iterator[dict[Purpose, str]]:
    """The purpose buckets under a prefix unique to this test; emptied and removed after it."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    ensure_buckets(s3_client, prefix)
    names = bucket_names(prefix)
    yield names
    # weed mini gives each bucket that holds data a volume of its own, and volumes are
    # capped by free disk: a long session must hand them back.
    for bucket in names.values():
        keys = [o.object_name for o in s3_client.list_objects(bucket, recursive=True)]
        for error in s3_client.remove_objects(bucket, (DeleteObject(k) for k in keys if k)):
            raise AssertionError(f"teardown could not delete {bucket}/{error.name}: {error}")
        s3_client.remove_bucket(bucket)
