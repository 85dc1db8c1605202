"""The charts' data of an evaluation (series, forest plot, method) match the readings, and
the power preview of a draft matches the MDE computed independently from its baseline."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from scipy import stats
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lab.app import create_app
from lab.auth.models import Role
from lab.settings import LabSettings
from tests.factories import login, make_user
from tests.lab.evaluations.test_evaluation import (
    BASELINE_START,
    CONTROL,
    PILOT_END,
    PILOT_START,
    PLANTED,
    TREATED,
    _pilot,
    _readings,
)

pytestmark = pytest.mark.s3


def _daily() -> pl.DataFrame:
    """Zone × day means of the hourly readings, computed here from the source frame."""
    return (_readings().with_columns(pl.col("time").dt.truncate("1d").alias("day"))
            .group_by("zone", "day").agg(pl.col("energy_kwh").mean().alias("y")))


def _reference_mde() -> tuple[float, float]:
    """MDE of the registered DiD from the baseline, TWFE residual variance, independent
    periods (the baseline is shorter than baseline + pilot): Bloom's formula with CR1's
    expected inflation, written out here."""
    base = _daily().filter(pl.col("day") < PILOT_START).sort("zone", "day")
    mat = base.pivot(on="day", index="zone", values="y").drop("zone").to_numpy()
    g, t = mat.shape
    resid = mat - mat.mean(1, keepdims=True) - mat.mean(0, keepdims=True) + mat.mean()
    sigma2 = float((resid**2).sum()) / (g * t - g - t + 1)
    n_pre, n_post = (PILOT_START - BASELINE_START).days, (PILOT_END - PILOT_START).days
    se = math.sqrt(sigma2 * (1 / n_pre + 1 / n_post) * (1 / len(TREATED) + 1 / len(CONTROL)))
    pi, cells = len(TREATED) / g, g * (n_pre + n_post)
    cr0 = 1 - 1 / g - ((1 - pi) ** 3 + pi**3) / (g * pi * (1 - pi))
    kappa = g / (g - 1) * (cells - 1) / (cells - g - n_pre - n_post) * cr0
    dist = stats.t(g - 1)
    return float((dist.ppf(0.975) * math.sqrt(kappa) + dist.ppf(0.8)) * se), float(mat.mean())


def result_event_study(client: TestClient, pid: str, eid: str,
                       headers: dict[str, str]) -> object:
    """The primary KPI's event study as the evaluation stored it (not null for a DiD)."""
    stored = client.get(f"/api/v1/pilots/{pid}/evaluations/{eid}", headers=headers).json()
    found = stored["results"]["kpis"]["energy_kwh"]["result"]["event_study"]
    assert found
    return found


def test_series_forest_and_method_and_the_power_preview(
    settings: LabSettings, live_engine: Engine, s3_server, s3_client, s3_buckets,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    with Session(live_engine, expire_on_commit=False) as session, TestClient(
        create_app(settings, engine=live_engine, storage=s3_client)
    ) as client:
        pid, headers = _pilot(session, client, s3_client, s3_buckets["datasets"])
        eid = client.post(f"/api/v1/pilots/{pid}/evaluations",
                          headers=headers["city"]).json()["id"]
        got = client.get(f"/api/v1/pilots/{pid}/evaluations/{eid}/series",
                         headers=headers["startup"])
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["pilot_start"].startswith("2026-03-01T00:00:00")
        assert body["design"] == "did" and body["time_grain"] == "day"
        assert body["recommendation"] == "scale_up" and body["reasons"]
        # the same reason as a code with its figures, for the French reader
        (why,) = body["reason_codes"]
        assert (why["code"], why["kpi"]) == ("success", "energy_kwh")
        assert why["values"]["gain"] >= why["values"]["threshold"] > 0

        energy, complaints = body["series"]
        assert (energy["name"], energy["role"]) == ("energy_kwh", "primary")
        assert energy["series_reason"] is None
        assert energy["event_study"] == result_event_study(client, pid, eid, headers["city"])
        days = (PILOT_END - BASELINE_START).days
        assert len(energy["points"]) == days
        daily = _daily().with_columns(pl.col("zone").is_in(TREATED).alias("treated"))
        means = {(r["day"], r["treated"]): r["y"] for r in daily.group_by("day", "treated").agg(
            pl.col("y").mean()).iter_rows(named=True)}
        for point in (energy["points"][0], energy["points"][-1]):
            day = pl.Series([point["t"]]).str.to_datetime(time_zone="UTC")[0]
            assert point["treated"] == pytest.approx(means[(day, True)], rel=1e-8)
            assert point["control"] == pytest.approx(means[(day, False)], rel=1e-8)
        # Stored or not, a KPI's series says which.
        assert (complaints["points"] == []) == (complaints["series_reason"] is not None)

        forest = {row["name"]: row for row in body["forest"]}
        result = client.get(f"/api/v1/pilots/{pid}/evaluations/{eid}",
                            headers=headers["city"]).json()["results"]["kpis"]
        assert forest["energy_kwh"]["relative_effect"] == pytest.approx(PLANTED, abs=0.02)
        assert forest["energy_kwh"]["relative_effect"] == (
            result["energy_kwh"]["result"]["relative_effect"])
        row = forest["energy_kwh"]
        assert row["relative_ci_low"] < PLANTED < row["relative_ci_high"]
        assert forest["energy_kwh"]["threshold"] == -0.05
        assert forest["complaints"]["role"] == "secondary"
        assert forest["complaints"]["threshold"] == -0.1
        assert forest["complaints"]["p_adjusted"] >= forest["complaints"]["p_value"]
        assert body["method"]["inference"] == "randomization"  # six zones a side
        assert "few_clusters_randomization" in body["method"]["why"]

        session.rollback()  # a fresh snapshot: the API wrote through other connections
        stranger = login(client, make_user(session, Role.startup))
        assert client.get(f"/api/v1/pilots/{pid}/evaluations/{eid}/series",
                          headers=stranger).status_code == 404

        # The same design as a new draft: the preview's MDE is the one computed here.
        pilot = client.get(f"/api/v1/pilots/{pid}", headers=headers["startup"]).json()
        draft = client.post("/api/v1/pilots", headers=headers["startup"], json={
            "prototype_id": pilot["prototype_id"], "title": "Dimming again",
            "protocol": pilot["protocol"]}).json()
        assert draft["status"] == "draft"
        preview = client.get(f"/api/v1/pilots/{draft['id']}/power", headers=headers["startup"])
        assert preview.status_code == 200, preview.text
        plan = preview.json()
        mde, mean = _reference_mde()
        assert plan["mde"] == pytest.approx(mde, rel=1e-6)
        assert plan["baseline_mean"] == pytest.approx(mean, rel=1e-9)
        assert plan["relative_mde"] == pytest.approx(mde / mean, rel=1e-6)
        assert (plan["n_treated"], plan["n_control"], plan["n_pre"], plan["n_post"]) == (
            6, 6, 59, 31)
        assert plan["detectable"] is (mde / mean <= 0.05)
        assert set(plan["warnings"]) == {"power_independent_periods", "power_randomization"}
        # A primary KPI measured by upload has no baseline until files arrive.
        protocol = pilot["protocol"]
        kpis = [{**k, "primary": k["name"] == "complaints"} for k in protocol["kpis"]]
        measured = client.post("/api/v1/pilots", headers=headers["startup"], json={
            "prototype_id": pilot["prototype_id"], "title": "Complaints first",
            "protocol": {**protocol, "kpis": kpis}}).json()
        none = client.get(f"/api/v1/pilots/{measured['id']}/power",
                          headers=headers["startup"]).json()
        assert none["reason"] == "no_baseline_data" and none["mde"] is None
        assert client.get(f"/api/v1/pilots/{draft['id']}/power",
                          headers=stranger).status_code == 404
        assert np.isfinite(plan["mde"])
        assert timedelta(days=plan["n_pre"]) == PILOT_START - BASELINE_START
