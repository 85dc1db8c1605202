"""A grant's scope is what the pilot asked, cut to what it may have; pure, no database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lab.pilots.protocol import DatasetRequest, Protocol
from lab.sandbox.scope import expiry_for, requests_by_dataset, scope_for

DATASET = uuid.uuid4()
COLUMNS = ["time", "zone", "sensor_id", "energy_kwh", "meter_serial"]


def _protocol(*requests: dict[str, Any]) -> Protocol:
    return Protocol.model_validate({
        "hypothesis": "Adaptive dimming saves energy at night.",
        "treated_zones": ["Z-T1", "Z-T2"], "control_zones": ["Z-C1"],
        "baseline": {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"},
        "pilot": {"start": "2026-03-01T00:00:00Z", "end": "2026-06-01T00:00:00Z"},
        "kpis": [{"name": "energy", "source": {"kind": "measurement", "unit": "kWh"},
                  "direction": "decrease", "minimum_effect": 0.05, "success_threshold": 0.1,
                  "primary": True}],
        "datasets": list(requests),
    })


def _request(columns: list[str], zones: list[str], start: str = "2026-02-01T00:00:00Z",
             end: str = "2026-04-01T00:00:00Z") -> dict[str, Any]:
    return {"dataset_id": str(DATASET), "columns": columns, "zones": zones,
            "window": {"start": start, "end": end}}


def _scope(protocol: Protocol, columns: list[str] = COLUMNS):  # type: ignore[no-untyped-def]
    return scope_for(protocol=protocol, requests=requests_by_dataset(protocol)[DATASET],
                     dataset_columns=columns, time_column="time", zone_column="zone")


def test_scope_always_carries_time_and_zone_and_only_known_columns() -> None:
    scope = _scope(_protocol(_request(["energy_kwh", "not_a_column"], ["Z-T1"])))
    assert scope.columns == ("time", "zone", "energy_kwh")
    assert scope.zones == ("Z-T1",)
    assert (scope.start, scope.end) == (datetime(2026, 2, 1, tzinfo=UTC),
                                        datetime(2026, 4, 1, tzinfo=UTC))


def test_several_requests_of_one_dataset_merge_into_one_grant() -> None:
    protocol = _protocol(_request(["energy_kwh"], ["Z-T1"], end="2026-03-01T00:00:00Z"),
                         _request(["sensor_id"], ["Z-C1"], start="2026-03-15T00:00:00Z"))
    assert list(requests_by_dataset(protocol)) == [DATASET]
    scope = _scope(protocol)
    assert scope.columns == ("time", "zone", "sensor_id", "energy_kwh")
    assert scope.zones == ("Z-C1", "Z-T1")
    assert scope.start == datetime(2026, 2, 1, tzinfo=UTC)
    assert scope.end == datetime(2026, 4, 1, tzinfo=UTC)


def test_scope_is_cut_to_the_pilots_zones_and_periods() -> None:
    # The protocol validator keeps requests inside the pilot; a request built by hand (as an
    # older protocol version might hold) is cut all the same.
    protocol = _protocol(_request(["energy_kwh"], ["Z-T1"]))
    wide = DatasetRequest.model_validate(_request(["energy_kwh"], ["Z-T1", "Z-ELSEWHERE"],
                                                  start="2025-06-01T00:00:00Z",
                                                  end="2027-01-01T00:00:00Z"))
    scope = scope_for(protocol=protocol, requests=[wide], dataset_columns=COLUMNS,
                      time_column="time", zone_column="zone")
    assert scope.zones == ("Z-T1",)
    assert scope.start == protocol.baseline.start and scope.end == protocol.pilot.end
    with pytest.raises(ValueError, match="none of the requested zones"):
        scope_for(protocol=protocol, requests=[wide.model_copy(update={"zones": ["Z-X"]})],
                  dataset_columns=COLUMNS, time_column="time", zone_column="zone")


def test_a_dataset_without_its_declared_columns_gets_no_scope() -> None:
    with pytest.raises(ValueError, match="zone column"):
        _scope(_protocol(_request(["energy_kwh"], ["Z-T1"])), ["time", "energy_kwh"])


@pytest.mark.parametrize("days", [0, 3, 7])
def test_expiry_is_the_pilot_end_plus_the_grace_period(days: int) -> None:
    protocol = _protocol(_request(["energy_kwh"], ["Z-T1"]))
    assert expiry_for(protocol, grace=timedelta(days=days)) == (
        datetime(2026, 6, 1, tzinfo=UTC) + timedelta(days=days))


def test_grace_beyond_seven_days_is_refused() -> None:
    protocol = _protocol(_request(["energy_kwh"], ["Z-T1"]))
    with pytest.raises(ValueError, match="grace"):
        expiry_for(protocol, grace=timedelta(days=7, seconds=1))


def test_the_grace_setting_is_bounded_to_seven_days() -> None:
    from pydantic import ValidationError

    from lab.settings import LabSettings

    with pytest.raises(ValidationError, match="LAB_GRANT_GRACE_DAYS"):
        LabSettings(grant_grace_days=8)
    assert LabSettings(grant_grace_days=0).grant_grace_days == 0
