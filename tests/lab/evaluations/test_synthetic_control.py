"""An evaluation of a one-zone pilot registered with the synthetic-control design returns the
synthetic control (weights per control zone, baseline fit) and draws it in the report."""

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
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from lab.settings import LabSettings
from storage import get_bytes, write_parquet
from tests.factories import login, make_authority, make_user, make_zone

pytestmark = pytest.mark.s3

TREATED = ["T0"]
CONTROL = [f"C{i:02d}" for i in range(20)]
BASELINE_START = datetime(2026, 1, 1, tzinfo=UTC)
PILOT_START = datetime(2026, 1, 29, tzinfo=UTC)
PILOT_END = datetime(2026, 2, 26, tzinfo=UTC)
PLANTED = -8.0


def _readings(seed: int = 16) -> pl.DataFrame:
    """Readings every 6 hours: zone level + a common daily pattern + noise; the treated zone
    (between two control zones in level) reads 8 lower during the pilot."""
    rng = np.random.default_rng(seed)
    n = int((PILOT_END - BASELINE_START) / timedelta(hours=6))
    times = [BASELINE_START + timedelta(hours=6 * h) for h in range(n)]
    common = 5 * np.sin(np.arange(n) / 12.0) + rng.normal(0, 1, n)
    post = np.array([t >= PILOT_START for t in times])
    frames = []
    for i, zone in enumerate(TREATED + CONTROL):
        level = 100.0 if zone in TREATED else 80.0 + 2.0 * i
        y = level + common + rng.normal(0, 1.0, n)
        if zone in TREATED:
            y = np.where(post, y + PLANTED, y)
        frames.append(pl.DataFrame({"time": times, "zone": [zone] * n, "energy_kwh": y}))
    return pl.concat(frames).sort("zone", "time")


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
    body = {"prototype_id": str(proto.id), "title": "One district", "protocol": {
        "hypothesis": "Dimming one district cuts its energy use.", "design": "synthetic_control",
        "treated_zones": TREATED, "control_zones": CONTROL,
        "baseline": {"start": BASELINE_START.isoformat(), "end": PILOT_START.isoformat()},
        "pilot": {"start": PILOT_START.isoformat(), "end": PILOT_END.isoformat()},
        "kpis": [{"name": "energy_kwh", "primary": True, "aggregation": "mean",
                  "direction": "decrease", "minimum_effect": 0.02, "success_threshold": 0.05,
                  "source": {"kind": "dataset", "dataset_id": str(dataset.id),
                             "column": "energy_kwh"}}]}}
    s_headers, c_headers = login(client, startup), login(client, city)
    created = client.post("/api/v1/pilots", headers=s_headers, json=body)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    client.post(f"/api/v1/pilots/{pid}/submit", headers=s_headers)
    approved = client.post(f"/api/v1/pilots/{pid}/decisions", headers=c_headers,
                           json={"decision": "approved"})
    assert approved.json()["status"] == "approved", approved.text
    client.post(f"/api/v1/pilots/{pid}/start", headers=s_headers)
    client.post(f"/api/v1/pilots/{pid}/complete", headers=s_headers)
    return pid, {"startup": s_headers, "city": c_headers}


def test_one_zone_pilot_gets_its_synthetic_control_in_results_and_report(
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
        results = evaluation["results"]
        assert results["design"] == "synthetic_control" and not evaluation["exploratory"]
        energy = results["kpis"]["energy_kwh"]["result"]
        assert energy["design"] == "synthetic_control"
        assert energy["effect"] == pytest.approx(PLANTED, abs=1.0)
        assert energy["ci_low"] <= PLANTED <= energy["ci_high"] and energy["ci_high"] < 0
        assert energy["p_value"] == pytest.approx(1 / 21)  # first of 20 placebos + itself
        assert "placebo-in-space" in energy["method"]
        section = results["synthetic_control"]
        assert section == energy["synthetic_control"]
        assert set(section["weights"]) == set(CONTROL)
        assert sum(section["weights"].values()) == pytest.approx(1.0, abs=1e-6)
        # the weighted control zones reproduce the treated zone's level (100; C{i} is at
        # 82 + 2i)
        level = sum(w * (82 + 2 * int(z[1:])) for z, w in section["weights"].items())
        assert level == pytest.approx(100.0, abs=0.5)
        assert 0 < section["pre_fit"]["rmspe"] < 2.0
        assert section["n_placebos"] == 20 and len(section["path"]) == 56
        assert results["event_study"]["points"][-1]["effect"] < 0
        assert "synthetic_poor_fit" not in energy["warnings"]

        html = get_bytes(s3_client, s3_buckets["reports"], evaluation["report_html_key"])
        heaviest = max(section["weights"], key=lambda z: section["weights"][z])
        assert b"Synthetic control" in html and f"<td>{heaviest}</td>".encode() in html
        assert "■ contrôle synthétique / synthetic control".encode() in html  # chart legend
        assert html.count(b"<svg") >= 3  # means, effects by period, treated vs synthetic

        series = client.get(f"/api/v1/pilots/{pid}/evaluations/{evaluation['id']}/series",
                            headers=headers["city"])
        assert series.status_code == 200, series.text
        assert series.json()["method"]["inference"] == "placebo"
        assert series.json()["design"] == "synthetic_control"

