"""The gap between baseline and pilot is in neither period; interim runs say how far along
the pilot is (no database: the runner's pure steps on a small frame)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from lab.evaluations.inputs import KpiData
from lab.evaluations.runner import _estimate, _without_gap, interim_fraction
from lab.pilots.protocol import Protocol

T0 = datetime(2026, 1, 1, tzinfo=UTC)
BASE_END = T0 + timedelta(days=21)
PILOT_START = T0 + timedelta(days=28)  # a week of installation in between
PILOT_END = T0 + timedelta(days=49)
TREATED, CONTROL = ["T0", "T1", "T2", "T3"], ["C0", "C1", "C2", "C3", "C4", "C5"]


def _protocol() -> Protocol:
    return Protocol.model_validate({
        "hypothesis": "Dimming cuts energy use.", "design": "did",
        "treated_zones": TREATED, "control_zones": CONTROL,
        "baseline": {"start": T0.isoformat(), "end": BASE_END.isoformat()},
        "pilot": {"start": PILOT_START.isoformat(), "end": PILOT_END.isoformat()},
        "kpis": [{"name": "energy", "primary": True, "direction": "decrease",
                  "minimum_effect": 0.05, "success_threshold": 0.1,
                  "source": {"kind": "dataset", "dataset_id": str(uuid.uuid4()),
                             "column": "energy"}}]})


def _readings() -> pl.LazyFrame:
    """Hourly readings; treated zones read 30 higher while sensors are installed (the gap)
    and 2 lower during the pilot (the planted effect)."""
    rng = np.random.default_rng(16)
    hours = np.arange(int((PILOT_END - T0) / timedelta(hours=1)))
    times = [T0 + timedelta(hours=int(h)) for h in hours]
    in_gap = np.array([BASE_END <= t < PILOT_START for t in times])
    in_pilot = np.array([t >= PILOT_START for t in times])
    frames = []
    for zone in TREATED + CONTROL:
        y = 50 + rng.normal(0, 1) + rng.normal(0, 0.5, hours.size)
        if zone in TREATED:
            y = y + 30 * in_gap - 2 * in_pilot
        frames.append(pl.DataFrame({"zone": zone, "t": times, "y": y}))
    return pl.concat(frames).lazy()


def test_gap_readings_are_left_out_of_both_periods_and_counted() -> None:
    protocol = _protocol()
    data = KpiData(_readings(), "mean", "day", {})
    kept, left_out = _without_gap(data, protocol)
    assert left_out == 10 * 7 * 24  # ten zones, seven days, hourly
    assert kept.readings.select(pl.len()).collect().item() == 10 * 42 * 24
    result = _estimate(kept, "did", protocol, "day")
    assert result.ci_low <= -2.0 <= result.ci_high
    assert result.effect == pytest.approx(-2.0, abs=0.3)
    # counted as baseline, the installation week would have biased the estimate
    biased = _estimate(data, "did", protocol, "day")
    assert biased.effect < -4.0


def test_no_gap_leaves_everything_in() -> None:
    protocol = _protocol().model_copy(update={"baseline": _protocol().pilot.model_copy(
        update={"start": T0, "end": PILOT_START})})
    data = KpiData(_readings(), "mean", "day", {})
    assert _without_gap(data, protocol)[1] == 0


def test_interim_fraction_of_the_pilot_period() -> None:
    protocol = _protocol()
    assert interim_fraction(protocol, PILOT_START + timedelta(days=7)) == pytest.approx(1 / 3)
    assert interim_fraction(protocol, T0) == 0.0
    assert interim_fraction(protocol, PILOT_END + timedelta(days=3)) == 1.0


def test_staggered_protocol_is_validated_and_evaluated_by_imputation() -> None:
    late = PILOT_START + timedelta(days=7)
    body = _protocol().model_dump(mode="json")
    protocol = Protocol.model_validate({**body, "treated_starts": {"T2": late.isoformat(),
                                                                   "T3": late.isoformat()}})
    assert protocol.zone_starts() == {"T0": PILOT_START, "T1": PILOT_START, "T2": late,
                                      "T3": late}
    for bad in ({"C0": late.isoformat()}, {"T2": (PILOT_END + timedelta(days=1)).isoformat()}):
        with pytest.raises(ValueError, match="treated_starts"):
            Protocol.model_validate({**body, "treated_starts": bad})
    # zones T2 and T3 only start a week late: their first week is untreated
    rng = np.random.default_rng(5)
    rows = []
    for zone in TREATED + CONTROL:
        level = rng.normal(50, 2)
        start = late if zone in ("T2", "T3") else PILOT_START
        for d in range(49):
            t = T0 + timedelta(days=d)
            y = level + rng.normal(0, 0.3) - (2.0 if zone in TREATED and t >= start else 0.0)
            rows.append({"zone": zone, "t": t, "y": y})
    data = KpiData(pl.LazyFrame(rows), "mean", "day", {})
    kept, _ = _without_gap(data, protocol)
    result = _estimate(kept, "did", protocol, "day")
    assert result.design == "did_staggered" and "2 start dates" in result.method
    assert result.effect == pytest.approx(-2.0, abs=0.3)
    common = _estimate(kept, "did", _protocol(), "day")  # ignoring the late starts
    assert common.effect > result.effect + 0.2  # dilutes the effect


def test_protocols_without_staggered_starts_keep_their_hash() -> None:
    from lab.pilots.protocol import canonical_json

    assert "treated_starts" not in canonical_json(_protocol())
