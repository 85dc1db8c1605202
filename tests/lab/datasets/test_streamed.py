"""The conversion job reads a Parquet upload where it is stored and streams its outputs into
the object store: same bytes as a local conversion, no local copy, nothing left on failure."""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from minio import Minio

from lab.datasets import convert, external_sort, objects, streamed
from lab.settings import LabSettings
from storage import ChecksumMismatch, StorageError, get_bytes, put_bytes, stat
from tests.lab.datasets import test_versions
from tests.lab.datasets.data import csv_bytes, parquet_bytes, readings
from tests.lab.datasets.test_versions import Lab, _ready

pytestmark = pytest.mark.s3
lab = test_versions.lab  # the same fixture: a city, datasets, the app on the real S3 server
MiB = 1024 * 1024
COLUMNS = {"time_column": "time", "zone_column": "zone"}


def _uploads(s3: Minio, bucket: str, prefix: str) -> list[Any]:
    """Multipart uploads still open under `prefix` (minio has no public call for this)."""
    return list(s3._list_multipart_uploads(bucket, prefix=prefix).uploads)


@pytest.fixture
def seen(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files under the work dir once the sort has written its range files."""
    names: list[str] = []
    real = external_sort._partition

    def partition(*args: Any, **kwargs: Any) -> Any:
        ranges = real(*args, **kwargs)
        names.extend(p.name for p in (lab.home / "work").rglob("*") if p.is_file())
        return ranges

    monkeypatch.setattr(external_sort, "_partition", partition)
    return names


def _local(tmp: Path, data: bytes, fmt: str) -> tuple[bytes, bytes]:
    """data.parquet and rollup.parquet as `convert.convert` writes them from a local file."""
    source = tmp / f"local.{fmt}"
    source.write_bytes(data)
    out, rollup = tmp / "data.parquet", tmp / "rollup.parquet"
    convert.convert(source, convert.check(source, **COLUMNS), out, rollup=rollup, **COLUMNS)
    return out.read_bytes(), rollup.read_bytes()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_job_stores_what_a_local_conversion_writes_reading_parquet_in_place(
        lab: Lab, seen: list[str], tmp_path: Path, fmt: str) -> None:
    frame = readings(5000, seed=5)
    data = parquet_bytes(frame) if fmt == "parquet" else csv_bytes(frame)
    version = _ready(lab, lab.upload("city", data))
    prefix = f"{lab.open_id}/{version['id']}/"
    stored = get_bytes(lab.s3, lab.bucket, prefix + "data.parquet")
    rollup = get_bytes(lab.s3, lab.bucket, prefix + "rollup.parquet")
    assert (stored, rollup) == _local(tmp_path, data, fmt)
    for key, body in (("data.parquet", stored), ("rollup.parquet", rollup)):
        assert stat(lab.s3, lab.bucket, prefix + key).sha256 == hashlib.sha256(body).hexdigest()
    assert version["sha256"] == hashlib.sha256(stored).hexdigest()
    assert version["size_bytes"] == len(stored) and version["row_count"] == 5000
    # the probe saw the sort's range files, and a copy of the upload only for a CSV
    assert any(name.endswith(".ipc") for name in seen), seen
    sources = {name for name in seen if name.startswith("source.")}
    assert sources == (set() if fmt == "parquet" else {"source.csv"})
    assert not {"data.parquet", "rollup.parquet"} & set(seen)
    assert _uploads(lab.s3, lab.bucket, prefix) == []


def test_failure_after_a_part_was_stored_leaves_no_object_and_no_upload(
        lab: Lab, settings: LabSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    part = 5 * MiB  # the smallest part S3 accepts
    monkeypatch.setattr(streamed, "PART_SIZE", part)
    settings.max_upload_bytes = 64 * MiB
    real = external_sort._RowGroups.write
    parts: list[int] = []

    def write(self: Any, table: Any) -> None:
        real(self, table)
        # past a part, the writer's buffer and its queue, the uploader has a part in hand
        if isinstance(self.out, Path) or self.out.tell() < part + 7 * MiB:
            return
        deadline = time.monotonic() + 30
        while not parts:
            for upload in _uploads(lab.s3, lab.bucket, f"{lab.open_id}/"):
                if upload.object_name.endswith("/data.parquet"):
                    parts.extend(p.part_number for p in lab.s3._list_parts(
                        lab.bucket, upload.object_name, upload.upload_id).parts)
            assert time.monotonic() < deadline, "no part of data.parquet was stored"
            time.sleep(0.05)
        raise RuntimeError("the writer failed after a part was stored")

    monkeypatch.setattr(external_sort._RowGroups, "write", write)
    before = lab.state()
    response = lab.upload("city", parquet_bytes(readings(1_500_000, seed=3)))
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "failed", response.json()
    assert "after a part was stored" in response.json()["error"]
    assert parts, "the failure was not injected"
    assert lab.state() == before
    assert _uploads(lab.s3, lab.bucket, f"{lab.open_id}/") == []


def test_an_upload_changed_since_it_was_received_is_refused(lab: Lab) -> None:
    data = parquet_bytes(readings(200))
    key = f"{lab.open_id}/{uuid.uuid4()}/source.parquet"
    received = put_bytes(lab.s3, lab.bucket, key, data)
    sha = received.sha256 or ""
    assert objects.check_in_place(lab.s3, lab.bucket, key, size=len(data), sha256=sha,
                                  etag=received.etag) == stat(lab.s3, lab.bucket, key)
    # the same size, other bytes, a SHA-256 on record that matches them
    put_bytes(lab.s3, lab.bucket, key, data[:-5] + b"XXXXX")
    with pytest.raises(StorageError, match="changed since it was received"):
        objects.check_in_place(lab.s3, lab.bucket, key, size=len(data), sha256=sha,
                               etag=received.etag)
    with pytest.raises(StorageError, match="changed while it was read"):
        objects.check_unchanged(lab.s3, received)
    # other bytes under the SHA-256 on record, no ETag on record (a job queued before it
    # was recorded): the bytes are hashed as they stream
    lab.s3.put_object(lab.bucket, key, io.BytesIO(data[:-5] + b"YYYYY"), len(data),
                      metadata={"sha256": sha})
    with pytest.raises(ChecksumMismatch):
        objects.check_in_place(lab.s3, lab.bucket, key, size=len(data), sha256=sha, etag=None)
    lab.s3.remove_object(lab.bucket, key)
