"""Measurement files are replaced or withdrawn before the evaluation; overlapping files of
one KPI are refused; evaluations read the current files only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import polars as pl
import pytest

from lab.evaluations.inputs import measurement_kpi
from lab.pilots.protocol import MeasurementSource
from tests.lab.sandbox.world import PILOT, TODAY, World

pytestmark = pytest.mark.s3


def _csv(*rows: tuple[int, str, float]) -> bytes:
    lines = ["time,zone,value"]
    for days, zone, value in rows:
        at = (TODAY - timedelta(days=days)).isoformat().replace("+00:00", "Z")
        lines.append(f"{at},{zone},{value}")
    return ("\n".join(lines) + "\n").encode()


def _upload(world: World, pid: str, data: bytes, *, name: str = "complaints.csv",
            headers: dict[str, str] | None = None, **form: Any) -> httpx.Response:
    return world.client.post(f"/api/v1/pilots/{pid}/measurements",
                             headers=headers or world.startup,
                             data={"kpi": "complaints", **form},
                             files={"file": (name, data, "text/csv")})


def test_overlapping_files_are_refused_unless_one_replaces_the_other(world: World) -> None:
    pid = world.approved_pilot()
    first = _upload(world, pid, _csv((3, "Z-T1", 4), (2, "Z-T1", 3), (3, "Z-C1", 5)),
                    name="week1.csv")
    assert first.status_code == 201 and first.json()["status"] == "current"
    a = first.json()["id"]
    # Same zone, same hour as a current file: both would be counted.
    clash = _upload(world, pid, _csv((2, "Z-T1", 30), (1, "Z-T1", 2)), name="fixed.csv")
    assert clash.status_code == 409, clash.text
    problem = clash.json()
    assert problem["type"].endswith("/measurement-overlap")
    assert a in problem["detail"] and "week1.csv" in problem["detail"]
    assert "1 zone-hours" in problem["detail"] and problem["errors"][0]["field"] == "file"
    # A zone of the file, inside its time range, but in other hours: no overlap.
    beside = _upload(world, pid, _csv((2, "Z-C1", 6)), name="control.csv")
    assert beside.status_code == 201, beside.text

    replaced = _upload(world, pid, _csv((2, "Z-T1", 30), (1, "Z-T1", 2)), name="fixed.csv",
                       replaces=a)
    assert replaced.status_code == 201, replaced.text
    b = replaced.json()["id"]
    listed = world.client.get(f"/api/v1/pilots/{pid}/measurements",
                              headers=world.startup).json()["items"]
    status = {m["id"]: (m["status"], m["replaced_by"]) for m in listed}
    assert status == {a: ("replaced", b), b: ("current", None),
                      beside.json()["id"]: ("current", None)}
    current = world.client.get(f"/api/v1/pilots/{pid}/measurements", headers=world.startup,
                               params={"current_only": True}).json()
    assert {m["id"] for m in current["items"]} == {b, beside.json()["id"]}
    # Replacing what is no longer current, or with a file of another KPI, is refused.
    again = _upload(world, pid, _csv((5, "Z-T2", 1)), replaces=a)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "replaces"
    unknown = _upload(world, pid, _csv((5, "Z-T2", 1)), replaces=str(uuid.uuid4()))
    assert unknown.status_code == 404
    # A file already current does not silently ignore what it was said to replace.
    same = _upload(world, pid, _csv((2, "Z-C1", 6)), name="control.csv", replaces=b)
    assert same.status_code == 409 and beside.json()["id"] in same.json()["detail"]


def test_a_withdrawn_file_is_kept_on_record_but_not_evaluated(world: World) -> None:
    pid = world.approved_pilot()
    kept = _upload(world, pid, _csv((3, "Z-T1", 4), (3, "Z-C1", 5))).json()
    dropped = _upload(world, pid, _csv((2, "Z-T1", 100), (2, "Z-C1", 100)),
                      name="wrong.csv").json()
    url = f"/api/v1/pilots/{pid}/measurements/{dropped['id']}/withdraw"
    other = world.auth(world.territory.other_startup)
    assert world.client.post(url, headers=other, json={"reason": "x"}).status_code == 404
    city = world.auth(world.territory.commune_city)
    assert world.client.post(url, headers=city, json={"reason": "x"}).status_code == 403
    withdrawn = world.client.post(url, headers=world.startup,
                                  json={"reason": "wrong meter"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdraw_reason"] == "wrong meter"
    assert world.client.post(url, headers=world.startup).status_code == 409

    # What an evaluation reads: the current file only.
    session = world.fresh()
    data = measurement_kpi(session=session, client=world.storage, pilot_id=uuid.UUID(pid),
                           kpi="complaints", source=MeasurementSource(unit="count"),
                           zones=["Z-T1", "Z-T2", "Z-C1"], start=TODAY - timedelta(days=60),
                           end=PILOT[1], aggregation="mean", grain="day")
    assert [f["id"] for f in data.inputs["files"]] == [kept["id"]]
    values = data.readings.collect().sort("zone")
    assert values["y"].to_list() == [5.0, 4.0] and 100.0 not in values["y"].to_list()

    history = world.client.get(f"/api/v1/pilots/{pid}/history", headers=city).json()
    last = history["items"][-1]
    assert last["action"] == "measurement.withdraw" and last["reason"] == "wrong meter"
    assert last["details"]["measurement_id"] == dropped["id"]

    # The same file sent again counts again.
    back = _upload(world, pid, _csv((2, "Z-T1", 100), (2, "Z-C1", 100)), name="wrong.csv")
    assert back.status_code == 201 and back.json()["id"] == dropped["id"]
    assert back.json()["status"] == "current"
    frame = pl.DataFrame(world.client.get(f"/api/v1/pilots/{pid}/measurements",
                                          headers=world.startup,
                                          params={"current_only": True}).json()["items"])
    assert frame.height == 2
