"""An evaluation whose worker was killed is redone over the reports the killed attempt left,
and one given up is failed with no report left."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from lab.app import create_app
from lab.evaluations.models import Evaluation, EvaluationStatus
from lab.jobs import reaper
from lab.jobs.models import JobStatus
from lab.settings import LabSettings, get_settings
from storage import get_bytes, put_bytes
from tests.lab.evaluations.test_evaluation import _pilot
from tests.lab.jobs.lost import job, killed

pytestmark = pytest.mark.s3


@pytest.fixture
def evaluated(settings: LabSettings, live_engine: Engine, s3_client, s3_buckets,  # type: ignore[no-untyped-def]
              monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """One evaluation run to done, its reports stored."""
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    with Session(live_engine, expire_on_commit=False) as session, TestClient(
        create_app(settings, engine=live_engine, storage=s3_client)
    ) as client:
        pid, headers = _pilot(session, client, s3_client, s3_buckets["datasets"])
        started = client.post(f"/api/v1/pilots/{pid}/evaluations", headers=headers["city"])
        assert started.status_code == 202, started.text
        yield started.json() | {"reports": s3_buckets["reports"], "engine": live_engine,
                                "s3": s3_client}


def _evaluation(found: dict[str, Any]) -> Evaluation:
    with Session(found["engine"]) as session:
        evaluation = session.get(Evaluation, uuid.UUID(found["id"]))
        assert evaluation is not None
        session.expunge(evaluation)
        return evaluation


def _as_running(found: dict[str, Any]) -> None:
    with Session(found["engine"]) as session:
        session.execute(update(Evaluation).where(col(Evaluation.id) == uuid.UUID(found["id"]))
                        .values(status=EvaluationStatus.running))
        session.commit()


def _reports(found: dict[str, Any]) -> list[str]:
    folder = f"{found['pilot_id']}/{found['id']}/"
    return sorted((o.object_name or "").removeprefix(folder)
                  for o in found["s3"].list_objects(found["reports"], prefix=folder))


def test_killed_evaluation_is_redone_over_its_partial_reports(
        evaluated: dict[str, Any]) -> None:
    first = _evaluation(evaluated)
    assert first.status == EvaluationStatus.done, first.error
    # A kill while writing the reports: one half-written, the other not yet there.
    _as_running(evaluated)
    put_bytes(evaluated["s3"], evaluated["reports"], first.report_json_key or "", b'{"res')
    evaluated["s3"].remove_object(evaluated["reports"], first.report_html_key or "")
    killed(evaluated["engine"], evaluated["job_id"], attempts=1)

    assert [str(j) for j in reaper.reap().requeued] == [evaluated["job_id"]]

    again = _evaluation(evaluated)
    assert again.status == EvaluationStatus.done and job(
        evaluated["engine"], evaluated["job_id"]).attempts == 2
    assert _reports(evaluated) == ["report.html", "report.json"]
    document = json.loads(get_bytes(evaluated["s3"], evaluated["reports"],
                                    again.report_json_key or ""))
    assert document["results"]["recommendation"] == again.recommendation
    assert again.results == first.results  # same inputs, same (seeded) results


def test_evaluation_given_up_is_failed_with_no_report_left(evaluated: dict[str, Any]) -> None:
    _as_running(evaluated)
    killed(evaluated["engine"], evaluated["job_id"],
           attempts=get_settings().job_max_attempts)

    assert [str(j) for j in reaper.reap().failed] == [evaluated["job_id"]]

    assert job(evaluated["engine"], evaluated["job_id"]).status == JobStatus.failed
    evaluation = _evaluation(evaluated)
    assert evaluation.status == EvaluationStatus.failed
    assert (evaluation.error or "").startswith("WorkerLost:")
    assert _reports(evaluated) == []
