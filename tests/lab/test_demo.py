"""The demo territory: seeded once through the services, every pilot state, every role able to
act, and the planted effect found by the evaluation within its interval."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from lab import demo
from lab.datasets.models import Dataset, DatasetVersion, VersionStatus
from lab.evaluations.models import Evaluation
from lab.feedback.models import Feedback
from lab.pilots.models import Pilot, PilotStatus
from lab.places.models import Place
from lab.reports.models import ProblemReport
from lab.sandbox.models import Grant
from lab.zones.models import Zone

pytestmark = [pytest.mark.s3, pytest.mark.slow]


@pytest.fixture
def seeded(live_engine: Engine, s3_client, s3_buckets, tmp_path: Path,  # type: ignore[no-untyped-def]
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    accounts = demo.seed(engine=live_engine, client=s3_client, home=tmp_path)
    assert accounts is not None
    return accounts


def test_demo_tells_the_whole_story(seeded: Path, live_engine: Engine, s3_client,  # type: ignore[no-untyped-def]
                                    tmp_path: Path) -> None:
    assert (seeded.stat().st_mode & 0o777) == 0o600
    rows = [line.split("\t") for line in seeded.read_text().splitlines()]
    roles = Counter(role for _email, role, _password in rows)
    assert roles == {"city": 3, "startup": 3, "mediator": 1, "citizen": 1}
    assert len({password for *_, password in rows}) == len(rows)  # one password per account
    with Session(live_engine) as session:
        pilots = {p.title: p for p in session.exec(select(Pilot))}
        assert set(PilotStatus) == {p.status for p in pilots.values()}
        assert session.exec(select(func.count()).select_from(Zone)).one() == 40
        datasets = session.exec(select(Dataset)).all()
        assert len(datasets) == 5 and {d.sensitivity for d in datasets} >= {"open", "restricted"}
        assert all(v.status == VersionStatus.ready
                   for v in session.exec(select(DatasetVersion)))
        running = pilots["Éclairage adaptatif à Villeurbanne"]
        grant = session.exec(select(Grant).where(Grant.pilot_id == running.id)).one()
        assert (grant.status, grant.extract_status) == ("active", "ready")
        suspended = next(p for p in pilots.values() if p.status == PilotStatus.suspended)
        assert {g.status for g in session.exec(select(Grant).where(
            Grant.pilot_id == suspended.id))} == {"revoked"}
        channels = Counter(f.channel for f in session.exec(
            select(Feedback).where(Feedback.pilot_id == running.id)))
        assert channels["web"] >= 8 and channels["phone"] >= 8 and 0 < channels["paper"] < 8
        assert channels["street"] >= 8
        assert session.exec(select(func.count()).select_from(Place)).one() >= 3
        report = session.exec(select(ProblemReport)).one()  # a streetlight: the commune's
        assert report.authority_id == grant.authority_id

        guided = pilots["Guidage vers les places libres"]
        found = session.exec(select(Evaluation).where(Evaluation.pilot_id == guided.id)).one()
        result = found.results["kpis"]["vehicles"]["result"]  # type: ignore[index]
        assert result["relative_ci_low"] < demo.GUIDANCE_EFFECT < result["relative_ci_high"]
        assert result["relative_ci_high"] < 0  # the planted effect is found
        assert found.recommendation == "scale_up"
        air = pilots["Murs végétalisés et capteurs citoyens"]
        honest = session.exec(select(Evaluation).where(Evaluation.pilot_id == air.id)).one()
        air_result = honest.results["kpis"]["no2"]["result"]  # type: ignore[index]
        assert air_result["relative_ci_low"] < 0 < air_result["relative_ci_high"]
        assert honest.recommendation != "scale_up"
    # idempotent: a second run changes nothing
    assert demo.seed(engine=live_engine, client=s3_client, home=tmp_path) is None
