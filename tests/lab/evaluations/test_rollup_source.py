"""Evaluations read a version's zone × hour rollup when the KPI allows it, and give the
results the raw readings give (to 1e-9 relative); versions without one use the readings."""

from __future__ import annotations

import io

import polars as pl
import pytest
from fastapi.testclient import TestClient
from polars.testing import assert_frame_equal
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lab.app import create_app
from lab.datasets import objects, rollups
from lab.datasets.models import DatasetVersion
from lab.evaluations.inputs import KpiData
from lab.settings import LabSettings
from tests.lab.evaluations.test_evaluation import _pilot, _readings

ESTIMATES = ("effect", "se", "ci_low", "ci_high", "p_value", "relative_effect",
             "relative_ci_low", "relative_ci_high")


def _rollup_of(frame: pl.DataFrame) -> pl.DataFrame:
    return rollups.rollup(frame.sort("zone", "time"), zone="zone", time="time")


@pytest.mark.parametrize("aggregation", ["mean", "sum"])
@pytest.mark.parametrize("grain", ["hour", "day", "week"])
def test_rollup_buckets_equal_reading_buckets(aggregation: str, grain: str) -> None:
    readings = _readings().with_columns(  # minute readings, some missing values
        pl.col("time") + pl.duration(minutes=pl.int_range(pl.len()) * 7 % 60),
        pl.when(pl.int_range(pl.len()) % 13 == 0).then(None).otherwise(pl.col("energy_kwh"))
        .alias("energy_kwh"))
    raw = KpiData(readings.lazy().select("zone", pl.col("time").alias("t"),
                                         pl.col("energy_kwh").alias("y")), aggregation, grain, {})
    cells = _rollup_of(readings).lazy().select(
        "zone", pl.col("hour").alias("t"), pl.col("energy_kwh.sum").alias("s"),
        pl.col("energy_kwh.count").alias("c"))
    summed = KpiData(cells, aggregation, grain, {}, rollup=True)
    expected, got = (d.frame.sort("zone", "t").collect() for d in (raw, summed))
    assert got.height > 0 and got["y"].null_count() == expected["y"].null_count()
    assert_frame_equal(got, expected, rel_tol=1e-9, abs_tol=0)


@pytest.mark.s3
def test_an_evaluation_from_the_rollup_gives_the_readings_estimate(
    settings: LabSettings, live_engine: Engine, s3_server, s3_client, s3_buckets,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    with Session(live_engine, expire_on_commit=False) as session, TestClient(
        create_app(settings, engine=live_engine, storage=s3_client)
    ) as client:
        pid, headers = _pilot(session, client, s3_client, s3_buckets["datasets"])

        def evaluate() -> dict:  # type: ignore[type-arg]
            started = client.post(f"/api/v1/pilots/{pid}/evaluations", headers=headers["city"],
                                  json={"design": "did"})
            assert started.status_code == 202, started.text
            done = client.get(f"/api/v1/pilots/{pid}/evaluations/{started.json()['id']}",
                              headers=headers["city"]).json()
            assert done["status"] == "done", done["error"]
            return done  # type: ignore[no-any-return]

        # a version converted before rollups existed: read from its readings
        from_readings = evaluate()
        assert from_readings["inputs"]["kpis"]["energy_kwh"]["source"] == "readings"
        version = session.query(DatasetVersion).one()
        body = io.BytesIO()
        _rollup_of(_readings()).write_parquet(body)
        s3_client.put_object(objects.bucket(), objects.rollup_key(version.dataset_id,
                                                                   version.id),
                             io.BytesIO(body.getvalue()), len(body.getvalue()))
        from_rollup = evaluate()
        assert from_rollup["inputs"]["kpis"]["energy_kwh"]["source"] == "rollup"
        raw = from_readings["results"]["kpis"]["energy_kwh"]["result"]
        summed = from_rollup["results"]["kpis"]["energy_kwh"]["result"]
        assert raw["effect"] is not None
        for name in ESTIMATES:
            assert summed[name] == (None if raw[name] is None
                                    else pytest.approx(raw[name], rel=1e-9)), name
        assert summed["n_obs"] == raw["n_obs"]
        chart, raw_chart = (pl.DataFrame(e["results"]["chart"]) for e in (from_rollup,
                                                                          from_readings))
        assert_frame_equal(chart, raw_chart, rel_tol=1e-9, abs_tol=0)
        assert from_rollup["recommendation"] == from_readings["recommendation"]
