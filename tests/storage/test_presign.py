"""Presigned URLs: they work, they expire, and any tampering is refused by the server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from minio import Minio

from storage import (
    InvalidLifetime,
    check_lifetime,
    get_bytes,
    make_client,
    presigned_get,
    presigned_put,
    put_bytes,
)

# A client that is never contacted: presigning is local when the region is known.
OFFLINE = make_client(endpoint="127.0.0.1:9", access_key="k" * 16, secret_key="s" * 32)


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.mark.parametrize(
    "lifetime",
    [
        timedelta(0),
        timedelta(seconds=-5),
        timedelta(milliseconds=500),
        timedelta(hours=1, seconds=1),
        timedelta(days=2),
    ],
)
def test_lifetimes_outside_one_second_to_one_hour_are_refused(lifetime: timedelta) -> None:
    with pytest.raises(InvalidLifetime):
        presigned_get(OFFLINE, "terrain-sandbox", "g1/a.parquet", lifetime=lifetime)
    with pytest.raises(InvalidLifetime):
        presigned_put(OFFLINE, "terrain-workspaces", "p1/a.csv", lifetime=lifetime)


def test_maximum_is_configurable_but_bounded_by_sigv4() -> None:
    assert check_lifetime(timedelta(hours=1)) == 3600
    assert check_lifetime(timedelta(seconds=90.9)) == 90
    with pytest.raises(InvalidLifetime):
        check_lifetime(timedelta(minutes=6), max_lifetime=timedelta(minutes=5))
    assert check_lifetime(timedelta(hours=3), max_lifetime=timedelta(hours=4)) == 3 * 3600
    with pytest.raises(InvalidLifetime):
        check_lifetime(timedelta(hours=1), max_lifetime=timedelta(days=8))


def test_expiry_is_reported_in_utc_and_matches_the_signed_url() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    url = presigned_get(OFFLINE, "terrain-sandbox", "g1/a.parquet", lifetime=timedelta(minutes=10))
    query = dict(parse_qsl(urlsplit(url.url).query))
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert url.expires_at.tzinfo is UTC
    assert url.expires_at == signed_at + timedelta(seconds=int(query["X-Amz-Expires"]))
    assert (
        before + timedelta(minutes=10)
        <= url.expires_at
        <= before + timedelta(minutes=10, seconds=2)
    )


@pytest.mark.s3
def test_presigned_get_downloads_the_object(s3_client: Minio, s3_buckets: dict[str, str]) -> None:
    bucket = s3_buckets["sandbox"]
    put_bytes(s3_client, bucket, "g1/d1.parquet", b"PAR1 pretend")

    url = presigned_get(s3_client, bucket, "g1/d1.parquet", lifetime=timedelta(minutes=5))

    response = httpx.get(url.url)
    assert response.status_code == 200
    assert response.content == b"PAR1 pretend"
    assert url.method == "GET"


@pytest.mark.s3
def test_tampered_presigned_urls_are_refused(s3_client: Minio, s3_buckets: dict[str, str]) -> None:
    bucket = s3_buckets["sandbox"]
    put_bytes(s3_client, bucket, "g1/d1.parquet", b"granted")
    put_bytes(s3_client, bucket, "g2/d1.parquet", b"not granted")
    url = presigned_get(s3_client, bucket, "g1/d1.parquet", lifetime=timedelta(minutes=5)).url
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]

    assert httpx.get(url).status_code == 200
    assert httpx.get(_with_query(url, **{"X-Amz-Signature": flipped})).status_code == 403
    assert httpx.get(url.replace("/g1/", "/g2/")).status_code == 403
    assert httpx.get(_with_query(url, **{"X-Amz-Expires": "604800"})).status_code == 403


@pytest.mark.s3
def test_presigned_get_stops_working_once_expired(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["sandbox"]
    put_bytes(s3_client, bucket, "g1/short.json", b"{}")
    # Signed at a whole second (X-Amz-Date), a 2 s URL lives between 1 and 2 s from now.
    url = presigned_get(s3_client, bucket, "g1/short.json", lifetime=timedelta(seconds=2))
    assert httpx.get(url.url).status_code == 200

    deadline = time.monotonic() + 10
    status = 200
    while time.monotonic() < deadline:
        status = httpx.get(url.url).status_code
        if status != 200:
            break
        time.sleep(0.2)

    assert status == 403
    # Refused only once the reported expiry has passed (server clocks tick in whole seconds).
    assert datetime.now(UTC) >= url.expires_at - timedelta(seconds=1)


@pytest.mark.s3
def test_presigned_put_uploads_and_allows_nothing_else(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["workspaces"]
    url = presigned_put(
        s3_client, bucket, "p1/measurements/day1.csv", lifetime=timedelta(minutes=5)
    )

    assert httpx.put(url.url, content=b"t,value\n1,2\n").status_code == 200
    assert get_bytes(s3_client, bucket, "p1/measurements/day1.csv") == b"t,value\n1,2\n"
    assert httpx.get(url.url).status_code == 403
    assert httpx.put(url.url.replace("/day1.csv", "/day2.csv"), content=b"x").status_code == 403


@pytest.mark.s3
def test_one_hour_is_the_default_ceiling_on_a_live_client(
    s3_client: Minio, s3_buckets: dict[str, str]
) -> None:
    bucket = s3_buckets["sandbox"]
    assert presigned_get(s3_client, bucket, "g1/x", lifetime=timedelta(hours=1)).url
    with pytest.raises(InvalidLifetime):
        presigned_get(s3_client, bucket, "g1/x", lifetime=timedelta(hours=2))
