"""The demo territory: seeded once through the services, every pilot state, every role able to
act, and the planted effect found by the evaluation within its interval."""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from lab import demo
from lab.app import create_app
from lab.datasets.models import Dataset, DatasetVersion, VersionStatus
from lab.db import make_engine, upgrade
from lab.evaluations.models import Evaluation
from lab.feedback.models import Feedback
from lab.objectstore import bucket_prefix
from lab.pilots.models import Pilot, PilotStatus
from lab.places.models import Place
from lab.reports.models import ProblemReport
from lab.sandbox.models import Grant, Measurement
from lab.settings import LabSettings
from lab.zones.models import Zone
from storage import bucket_name

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
        # the startup's own light meters: a guardrail measured by upload, its file stored
        (lux,) = session.exec(select(Measurement).where(Measurement.pilot_id == running.id))
        assert (lux.kpi, lux.unit, lux.withdrawn_at) == ("passing_lux", "lux", None)
        assert lux.rows > 1000 and s3_client.stat_object(
            bucket_name("workspaces", bucket_prefix()), lux.object_key).size > 0

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


def fingerprint(engine: Engine) -> dict[str, Any]:
    """What a newcomer meets, without the random ids: the map, the catalog and its stored
    bytes, the pilots, the feedback and the evaluations' numbers."""
    def numbers(result: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 9) for k, v in result.items()
                if isinstance(v, float | int) and not isinstance(v, bool)}

    with Session(engine) as session:
        pilots = {p.id: p.title for p in session.exec(select(Pilot))}
        datasets = {d.id: d.name for d in session.exec(select(Dataset))}
        return {
            "zones": sorted((z.code, json.dumps(z.geometry, sort_keys=True))
                            for z in session.exec(select(Zone))),
            "versions": sorted((datasets[v.dataset_id], v.number, v.row_count, v.sha256)
                               for v in session.exec(select(DatasetVersion))),
            "pilots": sorted((p.title, p.status, p.protocol_version)
                             for p in session.exec(select(Pilot))),
            "feedback": sorted((pilots[f.pilot_id], f.channel, json.dumps(f.likert,
                                sort_keys=True), f.nps, f.zone_code)
                               for f in session.exec(select(Feedback))),
            "evaluations": sorted(
                (pilots[e.pilot_id], e.recommendation or "", json.dumps(
                    {k: numbers(v.get("result") or {})
                     for k, v in (e.results or {}).get("kpis", {}).items()}, sort_keys=True))
                for e in session.exec(select(Evaluation))),
        }


@pytest.mark.skipif(bool(os.environ.get("LAB_TEST_DATABASE_URL")),
                    reason="two demo seeds take a minute on PostgreSQL; whether the seed is "
                           "deterministic does not depend on the database (run on SQLite)")
def test_two_fresh_seeds_give_the_same_territory(seeded: Path, live_engine: Engine, s3_client,  # type: ignore[no-untyped-def]
                                                 fresh_database_url, tmp_path: Path) -> None:
    url = fresh_database_url()
    upgrade(url)
    other = make_engine(url)
    try:
        assert demo.seed(engine=other, client=s3_client, home=tmp_path / "other") is not None
        first, second = fingerprint(live_engine), fingerprint(other)
    finally:
        other.dispose()
    assert len(first["versions"]) == 5 and len(first["evaluations"]) >= 2
    assert all(sha for *_, sha in first["versions"])
    for part in first:
        assert first[part] == second[part], part
    # each installation has its own passwords
    assert (seeded.read_text() != (tmp_path / "other" / seeded.name).read_text())


def test_every_demo_account_signs_in_and_acts(seeded: Path, live_engine: Engine, s3_client,  # type: ignore[no-untyped-def]
                                              tmp_path: Path) -> None:
    settings = LabSettings(home=tmp_path / "home", env="test", secret_key="d" * 48)
    app = create_app(settings, engine=live_engine, check_migrations=False)
    app.state.storage = s3_client
    with Session(live_engine) as session:
        pilots = {p.title: str(p.id) for p in session.exec(select(Pilot))}
    running, awaiting = pilots["Éclairage adaptatif à Villeurbanne"], pilots["Extension aux parcs"]
    acted: Counter[str] = Counter()
    with TestClient(app) as api:
        for line in seeded.read_text().splitlines():
            email, role, password = line.split("\t")
            token = api.post("/api/v1/auth/token", data={"username": email,
                                                         "password": password})
            assert token.status_code == 200, (email, token.text)
            auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
            me = api.get("/api/v1/me", headers=auth).json()
            assert (me["email"], me["role"]) == (email, role)
            if role == "city":  # each authority has pilots to follow; the commune decides
                assert api.get("/api/v1/pilots", headers=auth).json()["total"] > 0
                if email.endswith("@villeurbanne.example"):
                    decided = api.post(f"/api/v1/pilots/{awaiting}/decisions", headers=auth,
                                       json={"decision": "approved", "comment": "Oui"})
                    assert decided.status_code == 200, decided.text
            elif role == "startup":
                created = api.post("/api/v1/prototypes", headers=auth, json={
                    "name": f"Prototype de {email}", "domain": "energy", "readiness_level": 5,
                    "contact_name": "Équipe", "contact_email": email})
                assert created.status_code == 201, created.text
            elif role == "mediator":
                person = api.post("/api/v1/citizens/testers", headers=auth, json={})
                assert person.status_code == 201, person.text
            elif role == "citizen":  # enrolled in the running pilot: it answers at once
                questions = api.get(f"/api/v1/pilots/{running}/questionnaire",
                                    headers=auth).json()
                answer = {"likert": {q["id"]: 4 for q in questions["likert"]}}
                if questions.get("nps"):
                    answer["nps"] = 8
                sent = api.post(f"/api/v1/pilots/{running}/feedback", json=answer,
                                headers={**auth, "Idempotency-Key": str(uuid.uuid4())})
                assert sent.status_code == 201, sent.text
            acted[role] += 1
    assert acted == {"city": 3, "startup": 3, "mediator": 1, "citizen": 1}
