"""A conversion whose worker was killed is redone by the next attempt over what the killed one
left (a partial object, a work directory), finished work is not redone, and a conversion
given up leaves no version and no object."""

from __future__ import annotations

import hashlib
import uuid

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import update
from sqlmodel import Session, col, select

from lab.audit.models import AuditLog
from lab.datasets.models import DatasetVersion, VersionStatus
from lab.jobs import reaper
from lab.jobs.models import JobStatus
from lab.settings import get_settings
from storage import get_bytes, put_bytes
from tests.lab.datasets import test_versions
from tests.lab.datasets.data import csv_bytes, expected_sorted, readings
from tests.lab.datasets.test_versions import Lab, _ready
from tests.lab.jobs.lost import job as job_row
from tests.lab.jobs.lost import killed

pytestmark = pytest.mark.s3
lab = test_versions.lab  # the same fixture: a city, datasets, the app on the real S3 server


def _set_version(lab: Lab, version_id: str, status: VersionStatus) -> None:
    with Session(lab.engine) as session:
        session.execute(update(DatasetVersion).where(
            col(DatasetVersion.id) == uuid.UUID(version_id)).values(status=status))
        session.commit()


def _actions(lab: Lab, version_id: str) -> list[str]:
    with Session(lab.engine) as session:
        return list(session.exec(select(AuditLog.action).where(
            AuditLog.object_id == version_id).order_by(col(AuditLog.id))))


def test_killed_conversion_is_redone_over_its_leftovers(lab: Lab) -> None:
    frame = readings(3000)
    answer = lab.upload("city", csv_bytes(frame))
    version = _ready(lab, answer)
    prefix = f"{lab.open_id}/{version['id']}/"
    # What a kill after storing part of the output leaves: the version processing, a
    # data.parquet that is not the conversion's, no rollup yet, the work directory.
    _set_version(lab, version["id"], VersionStatus.processing)
    put_bytes(lab.s3, lab.bucket, prefix + "data.parquet", b"PAR1 half written")
    lab.s3.remove_object(lab.bucket, prefix + "rollup.parquet")
    leftover = lab.home / "work" / f"dataset-{answer.json()['job_id']}-gone"
    leftover.mkdir(parents=True)
    (leftover / "data.parquet").write_bytes(b"partial")
    killed(lab.engine, answer.json()["job_id"], attempts=1)

    assert [str(j) for j in reaper.reap().requeued] == [answer.json()["job_id"]]

    job = job_row(lab.engine, answer.json()["job_id"])
    assert job.status == JobStatus.done and job.attempts == 2, job.error
    again = _ready(lab, answer)
    assert sorted(o.object_name for o in lab.s3.list_objects(lab.bucket, prefix=prefix)) == [
        prefix + "data.parquet", prefix + "rollup.parquet", prefix + "source.csv"]
    stored = get_bytes(lab.s3, lab.bucket, prefix + "data.parquet")
    assert again["sha256"] == hashlib.sha256(stored).hexdigest()
    assert_frame_equal(pl.read_parquet(stored).with_columns(pl.col("zone").cast(pl.String)),
                       expected_sorted(frame), check_column_order=False)
    assert not leftover.exists()
    assert lab.state()[3] == []


def test_retry_of_a_finished_conversion_redoes_nothing(lab: Lab) -> None:
    answer = lab.upload("city", csv_bytes(readings(500)))
    version = _ready(lab, answer)
    key = f"{lab.open_id}/{version['id']}/data.parquet"
    etag = lab.s3.stat_object(lab.bucket, key).etag
    # Killed after the version became ready but before the job was marked done.
    killed(lab.engine, answer.json()["job_id"], attempts=1)
    reaper.reap()
    job = job_row(lab.engine, answer.json()["job_id"])
    assert job.status == JobStatus.done and job.attempts == 2
    assert job.result is not None and job.result["row_count"] == 500
    assert job.result["sha256"] == version["sha256"]
    assert lab.s3.stat_object(lab.bucket, key).etag == etag  # not written again
    assert _actions(lab, version["id"]).count("dataset.version.ready") == 1


def test_conversion_given_up_leaves_no_version_and_no_object(lab: Lab) -> None:
    answer = lab.upload("city", csv_bytes(readings(500)))
    version = _ready(lab, answer)
    _set_version(lab, version["id"], VersionStatus.processing)
    killed(lab.engine, answer.json()["job_id"], attempts=get_settings().job_max_attempts)

    assert [str(j) for j in reaper.reap().failed] == [answer.json()["job_id"]]

    job = job_row(lab.engine, answer.json()["job_id"])
    assert job.status == JobStatus.failed and (job.error or "").startswith("WorkerLost:")
    with Session(lab.engine) as session:
        assert session.get(DatasetVersion, uuid.UUID(version["id"])) is None
    assert list(lab.s3.list_objects(lab.bucket, prefix=f"{lab.open_id}/{version['id']}/")) == []
    assert _actions(lab, version["id"])[-1] == "dataset.version.fail"
