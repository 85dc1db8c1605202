"""An evaluation through the API on a small pilot recovers the planted effect and stores
both reports; the same inputs give the same results."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lab.app import create_app
from lab.auth.models import Role
from lab.datasets.models import Dataset, DatasetVersion, Sensitivity, VersionStatus
from lab.pilots.models import Pilot, PilotStatus
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from lab.settings import LabSettings
from storage import get_bytes, write_parquet
from tests.factories import login, make_authority, make_user, make_zone

pytestmark = pytest.mark.s3

TREATED = [f"T{i}" for i in range(6)]
CONTROL = [f"C{i}" for i in range(6)]
BASELINE_START = datetime(2026, 1, 1, tzinfo=UTC)
PILOT_START = datetime(2026, 3, 1, tzinfo=UTC)
PILOT_END = datetime(2026, 4, 1, tzinfo=UTC)
PLANTED = -0.20


def _readings(seed: int = 7) -> pl.DataFrame:
    """Hourly energy readings per zone: zone level × seasonal day factor × noise, with the
    treated zones using 20% less during the pilot (a multiplicative, planted effect)."""
    rng = np.random.default_rng(seed)
    hours = int((PILOT_END - BASELINE_START) / timedelta(hours=1))
    times = [BASELINE_START + timedelta(hours=h) for h in range(hours)]
    day = np.arange(hours) // 24
    season = 1.0 + 0.2 * np.sin(day / 9.0)
    frames = []
    for zone in sorted(TREATED + CONTROL):
        level = rng.uniform(80, 120)
        y = level * season * rng.normal(1.0, 0.03, hours)
        post = np.array([t >= PILOT_START for t in times])
        if zone in TREATED:
            y = np.where(post, y * (1 + PLANTED), y)
        frames.append(pl.DataFrame({"time": times, "zone": [zone] * hours, "energy_kwh": y}))
    return pl.concat(frames).sort("zone", "time")


COMPLAINTS_EFFECT = -0.30


def _complaints_csv(seed: int = 11) -> bytes:
    """Daily complaints per zone, 30% fewer in treated zones during the pilot."""
    rng = np.random.default_rng(seed)
    lines = ["time,zone,value"]
    days = (PILOT_END - BASELINE_START).days
    for zone in TREATED + CONTROL:
        level = rng.uniform(15, 25)
        for d in range(days):
            t = BASELINE_START + timedelta(days=d, hours=12)
            value = level * rng.normal(1.0, 0.05)
            if zone in TREATED and t >= PILOT_START:
                value *= 1 + COMPLAINTS_EFFECT
            lines.append(f"{t.isoformat()},{zone},{value:.4f}")
    return ("\n".join(lines) + "\n").encode()


def _pilot(session: Session, client: TestClient, s3_client, bucket: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    authority = make_authority(session)
    for i, code in enumerate(TREATED + CONTROL):
        make_zone(session, authority, code=code, lon=4.8 + i / 100)
    city = make_user(session, Role.city, authority=authority)
    dataset = Dataset(authority_id=authority.id, name="Énergie", domain="energy",
                      sensitivity=Sensitivity.restricted, licence="LO-2.0",
                      time_column="time", zone_column="zone")
    session.add(dataset)
    session.flush()
    version_id = uuid.uuid4()
    key = f"{dataset.id}/{version_id}/data.parquet"
    stored = write_parquet(s3_client, bucket, key, _readings())
    session.add(DatasetVersion(
        id=version_id, dataset_id=dataset.id, number=1, status=VersionStatus.ready,
        object_key=key, sha256=stored.sha256, row_count=0,
        columns=[{"name": "time", "dtype": "Datetime", "numeric": False},
                 {"name": "zone", "dtype": "String", "numeric": False},
                 {"name": "energy_kwh", "dtype": "Float64", "numeric": True}]))
    session.commit()
    startup = make_user(session, Role.startup)
    proto = prototypes.create_prototype(session=session, actor=startup, data=PrototypeCreate(
        name="Dim", domain="lighting", readiness_level=7, contact_name="A",
        contact_email="a@dim.example"))
    body = {"prototype_id": str(proto.id), "title": "Dimming", "protocol": {
        "hypothesis": "Dimming cuts energy use by a fifth.", "design": "did",
        "treated_zones": TREATED, "control_zones": CONTROL,
        "baseline": {"start": BASELINE_START.isoformat(), "end": PILOT_START.isoformat()},
        "pilot": {"start": PILOT_START.isoformat(), "end": PILOT_END.isoformat()},
        "kpis": [{"name": "energy_kwh", "primary": True, "aggregation": "mean",
                  "direction": "decrease", "minimum_effect": 0.05, "success_threshold": 0.15,
                  "source": {"kind": "dataset", "dataset_id": str(dataset.id),
                             "column": "energy_kwh"}},
                 {"name": "complaints", "direction": "decrease", "minimum_effect": 0.1,
                  "success_threshold": 0.2, "source": {"kind": "measurement", "unit": "n"}}]}}
    s_headers, c_headers = login(client, startup), login(client, city)
    pid = client.post("/api/v1/pilots", headers=s_headers, json=body).json()["id"]
    client.post(f"/api/v1/pilots/{pid}/submit", headers=s_headers)
    approved = client.post(f"/api/v1/pilots/{pid}/decisions", headers=c_headers,
                           json={"decision": "approved"})
    assert approved.json()["status"] == "approved", approved.text
    client.post(f"/api/v1/pilots/{pid}/start", headers=s_headers)
    uploaded = client.post(f"/api/v1/pilots/{pid}/measurements", headers=s_headers,
                           data={"kpi": "complaints"},
                           files={"file": ("complaints.csv", _complaints_csv(), "text/csv")})
    assert uploaded.status_code == 201, uploaded.text
    client.post(f"/api/v1/pilots/{pid}/complete", headers=s_headers)
    return pid, {"startup": s_headers, "city": c_headers}


def test_evaluation_recovers_the_planted_effect_and_stores_both_reports(
    settings: LabSettings, live_engine: Engine, s3_server, s3_client, s3_buckets,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    with Session(live_engine, expire_on_commit=False) as session, TestClient(
        create_app(settings, engine=live_engine, storage=s3_client)
    ) as client:
        pid, headers = _pilot(session, client, s3_client, s3_buckets["datasets"])
        started = client.post(f"/api/v1/pilots/{pid}/evaluations", headers=headers["city"])
        assert started.status_code == 202, started.text
        evaluation = client.get(f"/api/v1/pilots/{pid}/evaluations/{started.json()['id']}",
                                headers=headers["startup"]).json()
        assert evaluation["status"] == "done", evaluation["error"]
        energy = evaluation["results"]["kpis"]["energy_kwh"]["result"]
        assert energy["relative_effect"] == pytest.approx(PLANTED, abs=0.02)
        assert energy["relative_ci_low"] < PLANTED < energy["relative_ci_high"]
        assert "randomization" in energy["method"]  # 6 treated zones: few clusters
        # daily means of every hourly reading (not of pre-aggregated buckets)
        hours = int((PILOT_END - BASELINE_START) / timedelta(hours=1))
        assert energy["details"]["n_readings"] == len(TREATED + CONTROL) * hours
        assert energy["n_obs"] == len(TREATED + CONTROL) * hours // 24
        complaints = evaluation["results"]["kpis"]["complaints"]["result"]
        assert complaints["relative_effect"] == pytest.approx(COMPLAINTS_EFFECT, abs=0.03)
        assert evaluation["inputs"]["kpis"]["complaints"]["kind"] == "measurement"
        family = {k["name"]: k for k in evaluation["results"]["multiple_testing"]["kpis"]}
        assert family["energy_kwh"]["p_as_registered"] == energy["p_value"]
        assert family["complaints"]["p_adjusted"] >= complaints["p_value"]
        assert evaluation["recommendation"] == "scale_up"
        assert not evaluation["exploratory"] and not evaluation["interim"]
        results = evaluation["results"]
        assert results["interim"] is None
        assert results["gap"]["readings_left_out"] == {"energy_kwh": 0, "complaints": 0}
        # the event study's series for the chart: leads flat, lags near the planted effect
        points = {p["relative_period"]: p for p in results["event_study"]["points"]}
        assert energy["event_study"] == results["event_study"]
        assert points[-1]["effect"] == 0 and points[0]["ci_low"] < points[0]["effect"]
        assert abs(points[-2]["effect"]) < 0.1 * abs(points[0]["effect"])
        assert evaluation["inputs"]["kpis"]["energy_kwh"]["version"] == 1
        feedback = evaluation["results"]["feedback"]  # the startup reads it: disclosed
        assert feedback["view"] == "disclosed" and feedback["respondents"]["value"] is None

        html = get_bytes(s3_client, s3_buckets["reports"], evaluation["report_html_key"])
        assert b"<svg" in html and b"Scale up" in html and b"Retours des testeurs" in html
        assert b"event study" in html
        served = client.get(f"/api/v1/pilots/{pid}/evaluations/{evaluation['id']}/report.json",
                            headers=headers["city"])
        assert served.json()["results"]["recommendation"] == "scale_up"
        session.rollback()  # a fresh snapshot: the API wrote through other connections
        assert session.get(Pilot, uuid.UUID(pid)).status == PilotStatus.evaluated  # type: ignore[union-attr]

        again = client.post(f"/api/v1/pilots/{pid}/evaluations", headers=headers["city"],
                            json={"design": "did"}).json()
        second = client.get(f"/api/v1/pilots/{pid}/evaluations/{again['id']}",
                            headers=headers["city"]).json()
        assert second["number"] == 2 and second["results"] == evaluation["results"]

        exploratory = client.post(f"/api/v1/pilots/{pid}/evaluations", headers=headers["city"],
                                  json={"design": "before_after"}).json()
        assert exploratory["exploratory"] is True
        assert "before_after" in exploratory["departures"][0]

        session.rollback()
        stranger = login(client, make_user(session, Role.startup))
        assert client.get(f"/api/v1/pilots/{pid}/evaluations",
                          headers=stranger).status_code == 404
        assert client.post(f"/api/v1/pilots/{pid}/evaluations",
                           headers=stranger).status_code == 404
