"""Scoped temporary credentials: the server lets them do what the scope says, and no more."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from minio import Minio
from minio.error import S3Error
from polars.testing import assert_frame_equal

from storage import (
    EmbeddedS3,
    InvalidLifetime,
    Scope,
    STSError,
    TemporaryCredentials,
    assume_role,
    make_client,
    polars_storage_options,
    put_bytes,
    session_policy,
    write_parquet,
)

pytestmark = pytest.mark.s3

FRAME = pl.DataFrame({"zone": ["Z1", "Z2", "Z3"], "count": [3, 1, 4]})


def _issue(server: EmbeddedS3, scope: Scope, duration: timedelta) -> TemporaryCredentials:
    return assume_role(
        endpoint=server.endpoint,
        access_key=server.access_key,
        secret_key=server.secret_key,
        region=server.region,
        policy=session_policy(scope),
        duration=duration,
    )


def _client(server: EmbeddedS3, creds: TemporaryCredentials) -> Minio:
    return make_client(
        endpoint=server.endpoint,
        access_key=creds.access_key,
        secret_key=creds.secret_key,
        session_token=creds.session_token,
        region=server.region,
    )


def _denied(call) -> bool:  # type: ignore[no-untyped-def]
    try:
        call()
    except S3Error as exc:
        return exc.code == "AccessDenied"
    return False


@pytest.fixture
def layout(s3_client: Minio, s3_buckets: dict[str, str]) -> dict[str, str]:
    sandbox, datasets = s3_buckets["sandbox"], s3_buckets["datasets"]
    for bucket, prefix in [
        (sandbox, "prefixA/"),
        (sandbox, "prefixB/"),
        (sandbox, "prefixAB/"),
        (datasets, "prefixA/"),
    ]:
        write_parquet(s3_client, bucket, f"{prefix}x.parquet", FRAME)
    put_bytes(s3_client, sandbox, "prefixA/manifest.json", b'{"rows": 3}')
    return {"sandbox": sandbox, "datasets": datasets}


def test_read_scope_reads_inside_with_minio_and_polars(
    s3_server: EmbeddedS3, layout: dict[str, str]
) -> None:
    sandbox = layout["sandbox"]
    creds = _issue(s3_server, Scope(sandbox, "prefixA/", "read"), timedelta(minutes=15))
    client = _client(s3_server, creds)

    assert client.get_object(sandbox, "prefixA/manifest.json").read() == b'{"rows": 3}'
    listed = sorted(o.object_name or "" for o in client.list_objects(sandbox, "prefixA/"))
    assert listed == ["prefixA/manifest.json", "prefixA/x.parquet"]
    options = polars_storage_options(creds, s3_server.endpoint, s3_server.region)
    frame = pl.scan_parquet(f"s3://{sandbox}/prefixA/x.parquet", storage_options=options)
    assert_frame_equal(frame.collect(), FRAME)
    # A glob lists the prefix first: the ListBucket condition must let that through.
    globbed = pl.scan_parquet(f"s3://{sandbox}/prefixA/*.parquet", storage_options=options)
    assert_frame_equal(globbed.collect(), FRAME)


def test_read_scope_is_denied_everywhere_else(
    s3_server: EmbeddedS3, layout: dict[str, str]
) -> None:
    sandbox, datasets = layout["sandbox"], layout["datasets"]
    creds = _issue(s3_server, Scope(sandbox, "prefixA/", "read"), timedelta(minutes=15))
    client = _client(s3_server, creds)

    assert _denied(lambda: client.get_object(sandbox, "prefixB/x.parquet"))
    assert _denied(lambda: client.get_object(sandbox, "prefixAB/x.parquet"))
    assert _denied(lambda: client.get_object(datasets, "prefixA/x.parquet"))
    assert _denied(lambda: list(client.list_objects(sandbox, "prefixB/")))
    assert _denied(lambda: list(client.list_objects(sandbox, "", recursive=True)))
    assert _denied(lambda: client.put_object(sandbox, "prefixA/new", io.BytesIO(b"x"), 1))
    assert _denied(lambda: client.remove_object(sandbox, "prefixA/manifest.json"))
    assert _denied(lambda: client.make_bucket("stolen-bucket"))
    options = polars_storage_options(creds, s3_server.endpoint, s3_server.region)
    for outside in [f"s3://{sandbox}/prefixB/x.parquet", f"s3://{datasets}/prefixA/x.parquet"]:
        with pytest.raises(PermissionError, match="AccessDenied"):
            pl.scan_parquet(outside, storage_options=options).collect()


def test_write_scope_uploads_inside_only_and_cannot_read(
    s3_server: EmbeddedS3, s3_client: Minio, layout: dict[str, str]
) -> None:
    sandbox = layout["sandbox"]
    creds = _issue(s3_server, Scope(sandbox, "prefixA/", "write"), timedelta(minutes=15))
    client = _client(s3_server, creds)

    client.put_object(sandbox, "prefixA/upload.csv", io.BytesIO(b"a,b\n"), 4)
    assert s3_client.get_object(sandbox, "prefixA/upload.csv").read() == b"a,b\n"
    assert _denied(lambda: client.put_object(sandbox, "prefixB/upload.csv", io.BytesIO(b"x"), 1))
    assert _denied(lambda: client.get_object(sandbox, "prefixA/manifest.json"))
    assert _denied(lambda: client.remove_object(sandbox, "prefixA/upload.csv"))


@pytest.mark.parametrize("minutes", [15, 20])
def test_expiration_is_never_later_than_asked(
    s3_server: EmbeddedS3, layout: dict[str, str], minutes: int
) -> None:
    scope = Scope(layout["sandbox"], "prefixA/", "read")
    before = datetime.now(UTC)

    creds = _issue(s3_server, scope, timedelta(minutes=minutes))

    after = datetime.now(UTC)
    assert creds.expiration.tzinfo is not None
    assert creds.expiration <= after + timedelta(minutes=minutes)
    # ...and not rounded down to nothing either (the server's clock counts whole seconds).
    assert creds.expiration >= before + timedelta(minutes=minutes) - timedelta(seconds=2)


@pytest.mark.parametrize(
    "duration",
    [
        timedelta(0),
        timedelta(seconds=899),
        timedelta(hours=12, seconds=1),
        timedelta(seconds=900.5),
    ],
)
def test_durations_outside_sts_range_are_refused(
    s3_server: EmbeddedS3, duration: timedelta
) -> None:
    with pytest.raises(InvalidLifetime):
        _issue(s3_server, Scope("terrain-sandbox", "g1/", "read"), duration)


def test_wrong_root_credentials_get_an_sts_error(s3_server: EmbeddedS3) -> None:
    with pytest.raises(STSError) as info:
        assume_role(
            endpoint=s3_server.endpoint_url,
            access_key=s3_server.access_key,
            secret_key="not-the-secret-key-at-all",
            region=s3_server.region,
            policy=session_policy(Scope("terrain-sandbox", "g1/", "read")),
            duration=timedelta(minutes=15),
        )
    assert info.value.status == 403


def test_secret_is_hidden_from_repr(s3_server: EmbeddedS3, layout: dict[str, str]) -> None:
    creds = _issue(s3_server, Scope(layout["sandbox"], "prefixA/", "read"), timedelta(minutes=15))
    assert creds.secret_key.get_secret_value() not in repr(creds)
    assert creds.session_token not in repr(creds)


def test_malformed_session_names_are_refused_before_calling(s3_server: EmbeddedS3) -> None:
    with pytest.raises(STSError, match="session name"):
        assume_role(
            endpoint=s3_server.endpoint,
            access_key=s3_server.access_key,
            secret_key=s3_server.secret_key,
            region=s3_server.region,
            policy=session_policy(Scope("terrain-sandbox", "g1/", "read")),
            duration=timedelta(minutes=15),
            session_name="grant 12/startup",
        )
