"""Uploading versions through the API, against the real S3 server and committed data."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from minio import Minio
from polars.testing import assert_frame_equal
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from lab.app import create_app
from lab.audit.models import AuditLog
from lab.auth.models import Role, User
from lab.datasets import convert, objects
from lab.datasets import service as datasets
from lab.datasets.models import Dataset, DatasetVersion
from lab.settings import LabSettings
from storage import get_bytes
from tests.factories import login, make_authority, make_dataset, make_user
from tests.lab.datasets.data import csv_bytes, expected_sorted, parquet_bytes, readings

pytestmark = pytest.mark.s3

LIMIT = 1024 * 1024


@dataclass
class Lab:
    client: TestClient
    engine: Engine
    s3: Minio
    bucket: str
    home: Path
    users: dict[str, User]
    open_id: str
    restricted_id: str
    _headers: dict[str, dict[str, str]]

    def headers(self, who: str) -> dict[str, str]:
        if who not in self._headers:
            self._headers[who] = login(self.client, self.users[who])
        return self._headers[who]

    def upload(self, who: str, data: bytes, name: str = "readings.csv",
               dataset_id: str | None = None) -> httpx.Response:
        return self.client.post(f"/api/v1/datasets/{dataset_id or self.open_id}/versions",
                                headers=self.headers(who),
                                files={"file": (name, data, "application/octet-stream")})

    def get(self, who: str, path: str, **params: Any) -> httpx.Response:
        return self.client.get(f"/api/v1{path}", headers=self.headers(who), params=params)

    def state(self) -> tuple[int, int, list[str], list[Path]]:
        """Rows in the dataset tables, objects in the bucket, files left under LAB_HOME."""
        with Session(self.engine) as session:
            counts = [session.exec(select(func.count()).select_from(table)).one()
                      for table in (Dataset, DatasetVersion)]
        keys = sorted(o.object_name or "" for o in self.s3.list_objects(self.bucket,
                                                                        recursive=True))
        files = sorted(p for p in self.home.rglob("*")
                       if (p.is_file() and p.parent.name in ("uploads", "work"))
                       or "dataset-" in p.name)
        return counts[0], counts[1], keys, files

    def audit(self, object_id: str) -> list[AuditLog]:
        with Session(self.engine) as session:
            return list(session.exec(select(AuditLog).where(AuditLog.object_id == object_id)
                                     .order_by(col(AuditLog.id))))


@pytest.fixture
def lab(settings: LabSettings, live_engine: Engine, s3_client: Minio,
        s3_buckets: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    monkeypatch.setattr(convert, "ROW_GROUP_ROWS", 1000)
    settings.max_upload_bytes = LIMIT
    with Session(live_engine, expire_on_commit=False) as session:
        authority = make_authority(session)
        users = {"city": make_user(session, Role.city, authority=authority),
                 "other_city": make_user(session, Role.city),
                 "startup": make_user(session, Role.startup),
                 "citizen": make_user(session, Role.citizen),
                 "admin": make_user(session, Role.admin)}
        open_ds = make_dataset(session, authority, sensitivity="open")
        restricted = make_dataset(session, authority, sensitivity="restricted")
    with TestClient(create_app(settings, engine=live_engine, storage=s3_client)) as client:
        yield Lab(client, live_engine, s3_client, s3_buckets["datasets"], settings.home, users,
                  str(open_ds.id), str(restricted.id), {})


def _ready(lab: Lab, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    version = lab.get("city", f"/datasets/{response.json()['dataset_id']}/versions/"
                              f"{response.json()['id']}").json()
    assert version["status"] == "ready", version
    return version


def test_good_csv_becomes_a_ready_version_sorted_by_zone_then_time(lab: Lab) -> None:
    frame = readings(3000)
    data = csv_bytes(frame)
    before = lab.state()
    response = lab.upload("city", data)
    version = _ready(lab, response)
    job = lab.get("city", f"/jobs/{response.json()['job_id']}").json()
    assert job["status"] == "done" and job["progress"] == 1.0, job
    prefix = f"{lab.open_id}/{version['id']}/"
    assert lab.state()[2] == sorted(before[2] + [prefix + "data.parquet",
                                                 prefix + "rollup.parquet", prefix + "source.csv"])
    assert lab.state()[3] == []  # the upload and the work files are gone
    stored = get_bytes(lab.s3, lab.bucket, prefix + "data.parquet")
    assert version["sha256"] == hashlib.sha256(stored).hexdigest()
    assert version["size_bytes"] == len(stored)
    source = get_bytes(lab.s3, lab.bucket, prefix + "source.csv")
    assert source == data
    assert version["source_sha256"] == hashlib.sha256(data).hexdigest()
    assert version["source_size_bytes"] == len(data) and version["source_format"] == "csv"
    expected = expected_sorted(frame)
    assert_frame_equal(pl.read_parquet(io.BytesIO(stored)), expected)
    metadata = pq.read_metadata(io.BytesIO(stored))
    assert metadata.num_row_groups == 3
    zone, time = (metadata.schema.names.index(c) for c in ("zone", "time"))
    for i in range(metadata.num_row_groups):
        assert "RLE_DICTIONARY" in metadata.row_group(i).column(zone).encodings
        assert metadata.row_group(i).column(zone).statistics.has_min_max
        assert metadata.row_group(i).column(time).statistics.has_min_max
    assert version["row_count"] == 3000 and version["number"] == 1
    assert version["time_min"].startswith(expected["time"].min().strftime("%Y-%m-%dT%H:%M:%S"))
    assert version["time_max"].startswith(expected["time"].max().strftime("%Y-%m-%dT%H:%M:%S"))
    assert version["zones"] == sorted(frame["zone"].unique().to_list())
    assert {c["name"]: c["numeric"] for c in version["columns"]} == {
        "zone": False, "sensor": False, "value": True, "count": True, "time": False}
    assert [e.action for e in lab.audit(version["id"])] == ["dataset.version.upload",
                                                            "dataset.version.ready"]
    rollup = pl.read_parquet(io.BytesIO(get_bytes(lab.s3, lab.bucket, prefix + "rollup.parquet")))
    assert rollup["rows"].sum() == 3000 and rollup["value.count"].sum() == 3000
    assert rollup["value.sum"].sum() == pytest.approx(frame["value"].sum(), rel=1e-12)


def test_good_parquet_is_told_by_its_bytes_and_numbered_after_the_csv(lab: Lab) -> None:
    first = _ready(lab, lab.upload("city", csv_bytes(readings(500))))
    frame = readings(1500, seed=11).with_columns(
        pl.col("time").str.to_datetime(time_zone="UTC").dt.convert_time_zone("Europe/Paris"),
        pl.col("zone").cast(pl.Categorical))
    data = parquet_bytes(frame)
    second = _ready(lab, lab.upload("admin", data, name="export.csv"))
    assert (first["number"], second["number"]) == (1, 2)
    assert second["source_format"] == "parquet" and second["row_count"] == 1500
    prefix = f"{lab.open_id}/{second['id']}/"
    assert get_bytes(lab.s3, lab.bucket, prefix + "source.parquet") == data
    stored = get_bytes(lab.s3, lab.bucket, prefix + "data.parquet")
    assert hashlib.sha256(stored).hexdigest() == second["sha256"]
    assert_frame_equal(pl.read_parquet(io.BytesIO(stored)), expected_sorted(frame))
    with Session(lab.engine) as session:
        latest = datasets.latest_ready_version(session=session,
                                               dataset_id=uuid.UUID(lab.open_id))
        assert latest is not None and latest.number == 2
        assert datasets.numeric_columns(latest) == {"value", "count"}
        assert datasets.column_names(latest) == {"zone", "sensor", "value", "count", "time"}


def _big_csv(size: int) -> bytes:
    header = b"time,zone,value\n"
    line = b"2024-03-01T00:00:00Z,Z-01,1.0\n"
    return header + line * ((size - len(header)) // len(line) + 1)


REFUSALS = [
    pytest.param(b"PAR1" + b"\x00\x01 not really parquet" * 50, 422,
                 "Parquet file cannot be read", id="corrupt-parquet"),
    pytest.param(bytes(range(256)) * 20, 422, "neither Parquet", id="binary"),
    pytest.param(csv_bytes(readings(50).rename({"zone": "secteur"})), 422,
                 "declared zone column 'zone' is not in the file", id="missing-column"),
    pytest.param(csv_bytes(readings(50).with_columns(time=pl.lit("not a date"))), 422,
                 "'not a date' on line 2", id="mistyped-time"),
    pytest.param(_big_csv(LIMIT + 1), 413, f"upload limit of 1.0 MiB ({LIMIT} bytes)",
                 id="oversized-by-one-byte"),
    pytest.param(_big_csv(3 * LIMIT), 413, "LAB_MAX_UPLOAD_BYTES", id="oversized"),
]


@pytest.mark.parametrize(("data", "status", "words"), REFUSALS)
def test_refused_upload_says_why_and_leaves_nothing_behind(lab: Lab, data: bytes, status: int,
                                                           words: str) -> None:
    before = lab.state()
    response = lab.upload("city", data)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"], response.json()
    assert lab.state() == before
    assert before[1] == 0 and before[3] == []


def test_upload_must_be_multipart_with_a_file_part(lab: Lab) -> None:
    url = f"/api/v1/datasets/{lab.open_id}/versions"
    raw = lab.client.post(url, headers=lab.headers("city"), content=b"time,zone\n")
    assert raw.status_code == 422 and "multipart/form-data" in raw.json()["detail"]
    wrong_part = lab.client.post(url, headers=lab.headers("city"),
                                 files={"data": ("x.csv", b"time,zone\n")})
    assert wrong_part.status_code == 422 and "'file'" in wrong_part.json()["detail"]
    assert lab.state()[1:] == (0, [], [])


def test_bad_value_deep_in_the_file_fails_the_job_and_leaves_nothing(lab: Lab) -> None:
    rows = convert.SAMPLE_ROWS + 500
    frame = readings(rows).with_columns(
        pl.when(pl.int_range(pl.len()) == rows - 10).then(pl.lit("not a date"))
        .otherwise(pl.col("time")).alias("time"))
    before = lab.state()
    response = lab.upload("city", csv_bytes(frame))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "failed" and "not a date" in body["error"]
    job = lab.get("city", f"/jobs/{body['job_id']}").json()
    assert job["status"] == "failed" and "'time'" in job["error"]
    assert "not a date" in job["error"]
    assert lab.get("city", f"/datasets/{lab.open_id}/versions/{body['id']}").status_code == 404
    assert lab.state() == before
    trail = lab.audit(body["id"])
    assert [e.action for e in trail] == ["dataset.version.upload", "dataset.version.fail"]
    assert trail[1].reason and "not a date" in trail[1].reason
    assert trail[1].after == {"dataset_id": lab.open_id, "objects_deleted": True}


def test_an_object_store_refusal_is_503_and_leaves_no_row(
        lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    before = lab.state()
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", "missing-")  # no such bucket
    response = lab.upload("city", csv_bytes(readings(100)))
    assert response.status_code == 503 and "missing-datasets" in response.json()["detail"]
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", lab.bucket.removesuffix("datasets"))
    assert lab.state() == before
    with Session(lab.engine) as session:
        failures = session.exec(select(AuditLog).where(
            AuditLog.action == "dataset.version.fail")).all()
    assert len(failures) == 1 and failures[0].after == {"dataset_id": lab.open_id,
                                                        "objects_deleted": True}


def test_who_may_upload(lab: Lab) -> None:
    data = csv_bytes(readings(100))
    before = lab.state()
    for who in ("startup", "other_city", "citizen"):
        response = lab.upload(who, data)
        assert response.status_code == 403, (who, response.text)
        assert "owning authority" in response.json()["detail"]
    assert lab.upload("city", data, dataset_id="00000000-0000-0000-0000-000000000000"
                      ).status_code == 404
    assert lab.state() == before
    assert lab.upload("admin", data).status_code == 202


def test_preview_by_role_and_sensitivity(lab: Lab) -> None:
    frame = readings(2500)
    versions = {name: _ready(lab, lab.upload("city", csv_bytes(frame), dataset_id=ds_id))
                for name, ds_id in (("open", lab.open_id), ("restricted", lab.restricted_id))}
    expected = expected_sorted(frame).head(7)

    def rows(who: str, name: str, limit: int = 7) -> httpx.Response:
        version = versions[name]
        return lab.get(who, f"/datasets/{version['dataset_id']}/versions/{version['id']}/rows",
                       limit=limit)

    city = rows("city", "restricted")
    assert city.status_code == 200, city.text
    assert [(r["zone"], r["sensor"], r["value"]) for r in city.json()["rows"]] == list(
        expected.select("zone", "sensor", "value").iter_rows())
    assert {c["name"] for c in city.json()["columns"]} == set(frame.columns)
    refused = rows("startup", "restricted")
    assert refused.status_code == 403
    assert "restricted" in refused.json()["detail"] and "schema" in refused.json()["detail"]
    schema = lab.get("startup", f"/datasets/{lab.restricted_id}/versions/"
                                f"{versions['restricted']['id']}")
    assert schema.status_code == 200 and schema.json()["columns"]
    assert len(rows("startup", "open").json()["rows"]) == 7
    assert rows("other_city", "restricted").status_code == 200
    assert rows("citizen", "open").status_code == 403
    assert rows("city", "open", limit=101).status_code == 422


def test_preview_reads_the_first_row_group_not_the_whole_object(lab: Lab) -> None:
    version = _ready(lab, lab.upload("city", parquet_bytes(readings(100_000))))
    key = objects.data_key(uuid.UUID(lab.open_id), uuid.UUID(version["id"]))
    source = objects.RangedObject(lab.s3, lab.bucket, key)
    batch = objects.first_batch(source, 10)
    assert batch.num_rows == 10
    assert 0 < source.bytes_read < source.size / 3, (source.bytes_read, source.size)
