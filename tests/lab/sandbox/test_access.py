"""Access to extracts, enforced by the object store: credentials and links reach one grant's
extract, for no longer than the grant, and nothing once it is revoked or expired."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import polars as pl
import pytest
from minio import Minio
from minio.error import S3Error
from polars.testing import assert_frame_equal
from sqlmodel import select

from lab.common import as_utc, utcnow
from lab.datasets.models import DatasetVersion
from lab.objectstore import bucket_prefix
from lab.sandbox.models import Grant
from storage import bucket_name, make_client
from tests.lab.sandbox.world import World

pytestmark = pytest.mark.s3


def _credentials(world: World, grant_id: str, **body: Any) -> dict[str, Any]:
    response = world.client.post(f"/api/v1/grants/{grant_id}/credentials",
                                 headers=world.startup, json=body or None)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _client(creds: dict[str, Any]) -> Minio:
    return make_client(endpoint=creds["endpoint"], access_key=creds["access_key_id"],
                       secret_key=creds["secret_access_key"],
                       session_token=creds["session_token"], region=creds["region"])


def _options(creds: dict[str, Any]) -> dict[str, str]:
    return {"aws_access_key_id": creds["access_key_id"],
            "aws_secret_access_key": creds["secret_access_key"],
            "aws_session_token": creds["session_token"], "aws_region": creds["region"],
            "aws_endpoint_url": creds["endpoint"], "aws_allow_http": "true",
            "aws_virtual_hosted_style_request": "false"}


def _denied(call) -> bool:  # type: ignore[no-untyped-def]
    try:
        call()
    except S3Error as exc:
        return exc.code == "AccessDenied"
    return False


def _expect(world: World, frame: pl.DataFrame, grant: dict[str, Any]) -> pl.DataFrame:
    """The scope applied to the source independently of the extract code."""
    start, end = (datetime.fromisoformat(grant[k]) for k in ("window_start", "window_end"))
    return (frame.filter(pl.col("zone").is_in(grant["zones"]), pl.col("time") >= start,
                         pl.col("time") < end).select(grant["columns"]))


def _set_expiry(world: World, grant_id: str, expires_at: datetime) -> None:
    grant = world.fresh().get(Grant, uuid.UUID(grant_id))
    assert grant is not None
    grant.expires_at = expires_at
    world.session.add(grant)
    world.session.commit()


def test_sts_credentials_read_their_extract_and_nothing_else(world: World) -> None:
    pid = world.approved_pilot()
    g = world.grant_for(pid, world.territory.dataset_id)
    h = world.grant_for(pid, world.second_dataset)
    creds = _credentials(world, g["id"])
    bucket, key = creds["bucket"], f"{g['id']}/{world.territory.dataset_id}.parquet"
    assert creds["prefix"] == f"{g['id']}/" and key in creds["objects"]
    assert creds["secret_access_key"] not in json.dumps(
        world.client.get("/api/v1/access-events", headers=world.startup).json())

    frame = pl.scan_parquet(f"s3://{bucket}/{key}", storage_options=_options(creds)).collect()
    assert_frame_equal(frame, _expect(world, world.sources[world.territory.dataset_id], g))
    client = _client(creds)
    manifest = json.loads(client.get_object(bucket, f"{g['id']}/manifest.json").read())
    assert manifest["grant_id"] == g["id"]
    assert sorted(o.object_name or "" for o in client.list_objects(bucket, f"{g['id']}/")) == \
        sorted(creds["objects"])
    # The ready-to-paste Polars snippet runs as it is.
    scope: dict[str, Any] = {}
    exec(creds["snippets"]["polars"].replace("print(", "len("), scope)  # noqa: S102
    assert scope["frame"].collect().height == frame.height
    assert "CREATE OR REPLACE SECRET" in creds["snippets"]["duckdb"]
    assert "boto3.client" in creds["snippets"]["boto3"]

    other = f"{h['id']}/{world.second_dataset}.parquet"
    version = world.session.exec(select(DatasetVersion).where(  # G's source
        DatasetVersion.dataset_id == world.territory.dataset_id)).one()
    assert version.object_key is not None
    datasets = bucket_name("datasets", bucket_prefix())
    assert _denied(lambda: client.get_object(bucket, other))
    assert _denied(lambda: client.get_object(bucket, f"{h['id']}/manifest.json"))
    assert _denied(lambda: list(client.list_objects(bucket, f"{h['id']}/")))
    assert _denied(lambda: list(client.list_objects(bucket, "", recursive=True)))
    assert _denied(lambda: client.get_object(datasets, version.object_key))
    assert _denied(lambda: client.put_object(bucket, f"{g['id']}/x", io.BytesIO(b"x"), 1))
    assert _denied(lambda: client.put_object(datasets, "x", io.BytesIO(b"x"), 1))
    assert _denied(lambda: client.remove_object(bucket, key))
    for outside in (f"s3://{bucket}/{other}", f"s3://{datasets}/{version.object_key}"):
        with pytest.raises(PermissionError, match="AccessDenied"):
            pl.scan_parquet(outside, storage_options=_options(creds)).collect()


def test_the_extract_holds_exactly_the_scoped_rows_and_columns(world: World) -> None:
    pid = world.approved_pilot()
    for dataset_id, source in world.sources.items():
        grant = world.grant_for(pid, dataset_id)
        bucket = bucket_name("sandbox", bucket_prefix())
        data = world.storage.get_object(bucket, f"{grant['id']}/{dataset_id}.parquet").read()
        extract = pl.read_parquet(io.BytesIO(data))
        expected = _expect(world, source, grant)
        assert 0 < expected.height < source.height
        assert_frame_equal(extract, expected)  # same rows, same order: zone then time
        assert "meter_serial" not in extract.columns and "Z-X9" not in extract["zone"]
        manifest = json.loads(world.storage.get_object(
            bucket, f"{grant['id']}/manifest.json").read())
        version = world.session.get(DatasetVersion, uuid.UUID(grant["dataset_version_id"]))
        assert version is not None
        assert manifest["source"] == {"dataset_version_id": str(version.id), "number": 1,
                                      "sha256": version.sha256, "rows": source.height}
        assert manifest["extract"]["rows"] == extract.height == grant["extract_rows"]
        assert manifest["extract"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["extract"]["sha256"] == grant["extract_sha256"]
        assert manifest["scope"]["zones"] == grant["zones"]
        assert manifest["scope"]["columns"] == grant["columns"]
        assert datetime.fromisoformat(manifest["created_at"]) <= utcnow()


def test_a_presigned_link_works_a_tampered_one_does_not_and_revocation_ends_both(
        world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    issued = world.client.post(f"/api/v1/grants/{grant['id']}/links", headers=world.startup)
    assert issued.status_code == 200, issued.text
    links = {link["name"]: link for link in issued.json()["links"]}
    data = httpx.get(links["data"]["url"])
    assert data.status_code == 200
    assert hashlib.sha256(data.content).hexdigest() == grant["extract_sha256"]
    signature = links["data"]["url"].rsplit("X-Amz-Signature=", 1)[1][:64]
    forged = "0" * 64 if signature != "0" * 64 else "1" * 64
    assert httpx.get(links["data"]["url"].replace(signature, forged)).status_code == 403
    other_key = links["data"]["url"].replace(f"{grant['id']}/", f"{uuid.uuid4()}/")
    assert httpx.get(other_key).status_code == 403
    creds = _credentials(world, grant["id"])
    assert _client(creds).stat_object(creds["bucket"], links["data"]["key"]).size

    revoked = world.client.post(f"/api/v1/grants/{grant['id']}/revoke",
                                headers=world.auth(world.territory.epci_city),
                                json={"reason": "Usage hors protocole"})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert httpx.get(links["data"]["url"]).status_code in (403, 404)
    assert httpx.get(links["manifest"]["url"]).status_code in (403, 404)
    with pytest.raises(S3Error):
        _client(creds).get_object(creds["bucket"], links["data"]["key"])
    assert list(_client(creds).list_objects(creds["bucket"], creds["prefix"],
                                            recursive=True)) == []


def test_issuance_after_revocation_or_expiry_is_refused_with_the_reason(world: World) -> None:
    pid = world.approved_pilot()
    revoked = world.grant_for(pid, world.territory.dataset_id)
    expired = world.grant_for(pid, world.second_dataset)
    blank = world.client.post(f"/api/v1/grants/{revoked['id']}/revoke",
                              headers=world.auth(world.territory.epci_city), json={"reason": " "})
    assert blank.status_code == 422
    outsider = world.client.post(f"/api/v1/grants/{revoked['id']}/revoke",
                                 headers=world.auth(world.territory.other_startup),
                                 json={"reason": "x"})
    assert outsider.status_code == 404  # another startup sees no grant of this pilot
    world.client.post(f"/api/v1/grants/{revoked['id']}/revoke",
                      headers=world.auth(world.territory.epci_city),
                      json={"reason": "Fuite constatée"})
    _set_expiry(world, expired["id"], utcnow() - timedelta(seconds=1))
    for grant, reason in ((revoked, "revoked: Fuite constatée"), (expired, "expired at")):
        for what in ("links", "credentials"):
            refused = world.client.post(f"/api/v1/grants/{grant['id']}/{what}",
                                        headers=world.startup)
            assert refused.status_code == 410, refused.text
            assert reason in refused.json()["detail"]
        assert world.client.get(f"/api/v1/grants/{grant['id']}/objects/data",
                                headers=world.startup).status_code == 410
    again = world.client.post(f"/api/v1/grants/{revoked['id']}/revoke",
                              headers=world.auth(world.territory.epci_city), json={"reason": "x"})
    assert again.status_code == 409


def test_credentials_and_links_never_outlive_the_grant(world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    ends = utcnow().replace(microsecond=0) + timedelta(minutes=20)
    _set_expiry(world, grant["id"], ends)
    creds = _credentials(world, grant["id"], duration_seconds=43200)
    assert datetime.fromisoformat(creds["expires_at"]) <= ends
    assert datetime.fromisoformat(creds["expires_at"]) >= ends - timedelta(seconds=5)
    links = world.client.post(f"/api/v1/grants/{grant['id']}/links",
                              headers=world.startup).json()
    assert all(datetime.fromisoformat(x["expires_at"]) <= ends for x in links["links"])

    _set_expiry(world, grant["id"], utcnow() + timedelta(minutes=10))
    refused = world.client.post(f"/api/v1/grants/{grant['id']}/credentials",
                                headers=world.startup)
    assert refused.status_code == 409 and "at least 15 minutes" in refused.json()["detail"]
    short = world.client.post(f"/api/v1/grants/{grant['id']}/links", headers=world.startup)
    assert short.status_code == 200
    stored = world.fresh().get(Grant, uuid.UUID(grant["id"]))
    assert stored is not None
    assert datetime.fromisoformat(short.json()["expires_at"]) <= as_utc(stored.expires_at)
    too_long = world.client.post(f"/api/v1/grants/{grant['id']}/links", headers=world.startup,
                                 json={"lifetime_seconds": 7200})
    assert too_long.status_code == 422


def test_downloads_through_the_api_stream_the_extract(world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    got = world.client.get(f"/api/v1/grants/{grant['id']}/objects/data", headers=world.startup)
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == grant["extract_sha256"]
    assert got.headers["content-disposition"].endswith(f'{world.territory.dataset_id}.parquet"')
    manifest = world.client.get(f"/api/v1/grants/{grant['id']}/objects/manifest",
                                headers=world.startup)
    assert manifest.json()["grant_id"] == grant["id"]


def test_only_the_pilots_startup_receives_access(world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    city = world.auth(world.territory.epci_city)
    assert world.client.get(f"/api/v1/grants/{grant['id']}", headers=city).status_code == 200
    for what in ("links", "credentials"):
        denied = world.client.post(f"/api/v1/grants/{grant['id']}/{what}", headers=city)
        assert denied.status_code == 403 and "startup" in denied.json()["detail"]


def test_links_and_credentials_name_the_public_endpoint_when_it_is_set(
        world: World, s3_server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # Another name for the same server, as a startup would reach it from outside.
    port = s3_server.endpoint.rsplit(":", 1)[1]
    monkeypatch.setenv("STORAGE_PUBLIC_ENDPOINT", f"http://localhost:{port}")
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    issued = world.client.post(f"/api/v1/grants/{grant['id']}/links", headers=world.startup)
    url = next(link["url"] for link in issued.json()["links"] if link["name"] == "data")
    assert url.startswith(f"http://localhost:{port}/")
    assert httpx.get(url).status_code == 200  # signed for that host, accepted by the server
    creds = _credentials(world, grant["id"])
    assert creds["endpoint"] == f"http://localhost:{port}"
    assert f"localhost:{port}" in str(creds["snippets"])
    assert _client(creds).stat_object(creds["bucket"], f"{creds['prefix']}manifest.json").size
