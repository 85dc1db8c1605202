"""The embedded SeaweedFS server: closed to strangers, keeps its keys, leaves nothing behind."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import httpx
import pytest
from minio import Minio
from minio.error import S3Error

from storage import EmbeddedS3, EmbeddedServerError, get_bytes, make_client, put_bytes

pytestmark = pytest.mark.s3


def _process_gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)  # the whole process group, children included
    except ProcessLookupError:
        return not Path(f"/proc/{pid}").exists()
    return False


def test_anonymous_requests_are_refused(
    s3_server: EmbeddedS3, s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["datasets"]
    put_bytes(s3_client, bucket, "d1/v1/data.parquet", b"secret rows")
    base = s3_server.endpoint_url

    assert httpx.get(f"{base}/").status_code == 403
    assert httpx.get(f"{base}/{bucket}?list-type=2").status_code == 403
    assert httpx.get(f"{base}/{bucket}/d1/v1/data.parquet").status_code == 403
    assert httpx.put(f"{base}/{bucket}/d1/v1/planted", content=b"x").status_code == 403
    assert httpx.put(f"{base}/anonymous-bucket").status_code == 403
    names = [o.object_name for o in s3_client.list_objects(bucket, recursive=True)]
    assert names == ["d1/v1/data.parquet"]
    assert not s3_client.bucket_exists("anonymous-bucket")


def test_wrong_secret_is_refused(s3_server: EmbeddedS3) -> None:
    intruder = make_client(
        endpoint=s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key="0" * 40,
        region=s3_server.region,
    )
    with pytest.raises(S3Error) as info:
        intruder.list_buckets()
    assert info.value.code in {"SignatureDoesNotMatch", "AccessDenied"}


def test_credentials_persist_across_restart_and_stop_leaves_no_process(tmp_path: Path) -> None:
    home = tmp_path / "s3home"
    first = EmbeddedS3(home)
    with first:
        keys = (first.access_key, first.secret_key)
        first_pid = first.pid
        client = first.client()
        client.make_bucket("persisted")
        put_bytes(client, "persisted", "k/v.txt", b"still here")
    assert _process_gone(first_pid)
    assert not first.running

    credentials = home / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert json.loads(credentials.read_text()) == {"access_key": keys[0], "secret_key": keys[1]}

    # A new manager, as after a restart of the platform, on the same home.
    with EmbeddedS3(home) as second:
        second_pid = second.pid
        assert (second.access_key, second.secret_key) == keys
        assert get_bytes(second.client(), "persisted", "k/v.txt") == b"still here"
    assert _process_gone(second_pid)


def test_a_server_that_dies_at_start_reports_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'flag provided but not defined: -frobnicate' >&2\nexit 3\n")
    fake.chmod(0o755)

    with pytest.raises(EmbeddedServerError, match="frobnicate") as info:
        EmbeddedS3(tmp_path / "home", binary=fake).start()
    assert "status 3" in str(info.value)


def test_endpoint_needs_a_started_server(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedServerError):
        _ = EmbeddedS3(tmp_path / "home").endpoint


def test_settings_point_at_the_server(s3_server: EmbeddedS3, s3_buckets: dict[str, str]) -> None:
    settings = s3_server.settings()
    assert settings.endpoint == s3_server.endpoint
    assert settings.secret_key is not None
    client = make_client(
        endpoint=settings.endpoint or "",
        access_key=settings.access_key or "",
        secret_key=settings.secret_key,
        region=settings.region,
    )
    client.put_object(s3_buckets["reports"], "p/r.json", io.BytesIO(b"{}"), 2)
