"""Jobs: state, progress, result or error, visible to their owner only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lab.app import create_app
from lab.auth.models import Role
from lab.jobs import service as jobs
from lab.jobs.models import Job, JobStatus
from lab.settings import LabSettings
from tests.factories import login, make_user


@jobs.job_kind("test-fails")
def _fails(ctx: jobs.JobContext) -> dict[str, object]:
    ctx.progress(0.5, "half way")
    raise ValueError("the input file has no 'time' column")


@pytest.mark.s3
def test_selfcheck_job_runs_to_done_with_progress(settings: LabSettings, live_engine: Engine,
                                                  s3_client, s3_buckets,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = next(iter(s3_buckets.values())).removesuffix("datasets")
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", prefix)
    with Session(live_engine, expire_on_commit=False) as session:
        admin, other = make_user(session, Role.admin), make_user(session, Role.admin)
        stranger = make_user(session, Role.city)
    with TestClient(create_app(settings, engine=live_engine, storage=s3_client)) as client:
        started = client.post("/api/v1/admin/jobs/selfcheck", headers=login(client, admin))
        assert started.status_code == 202
        job = client.get(f"/api/v1/jobs/{started.json()['id']}",
                         headers=login(client, admin)).json()
        assert job["status"] == "done", job
        assert job["progress"] == 1.0 and job["finished_at"]
        assert sorted(job["result"]["buckets"]) == sorted(s3_buckets.values())
        assert client.get(f"/api/v1/jobs/{job['id']}",
                          headers=login(client, stranger)).status_code == 404
        assert client.get(f"/api/v1/jobs/{job['id']}",
                          headers=login(client, other)).status_code == 200  # admins see all
        mine = client.get("/api/v1/jobs", headers=login(client, stranger)).json()
        assert mine["total"] == 0


def test_failed_job_keeps_its_progress_and_error(live_engine: Engine) -> None:
    with Session(live_engine) as session:
        user = make_user(session, Role.city)
        job = jobs.enqueue(session=session, actor=user, kind="test-fails")
    with Session(live_engine) as session:
        stored = session.get(Job, job.id)
        assert stored is not None
        assert stored.status == JobStatus.failed
        assert stored.progress == 0.5 and stored.message == "half way"
        assert stored.error == "ValueError: the input file has no 'time' column"
        assert stored.started_at is not None and stored.finished_at is not None


def test_unknown_job_kind_is_refused(session: Session) -> None:
    from lab.exceptions import InvalidInput

    with pytest.raises(InvalidInput, match="Unknown job kind"):
        jobs.enqueue(session=session, actor=None, kind="no-such-kind")
