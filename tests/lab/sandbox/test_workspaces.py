"""Measurement uploads: an invalid file leaves nothing behind, a valid one is registered once."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import polars as pl
import pytest
from sqlmodel import func, select

from lab.objectstore import bucket_prefix
from lab.sandbox.models import Measurement
from storage import bucket_name
from tests.lab.sandbox.world import TODAY, World

pytestmark = pytest.mark.s3


def _csv(*rows: tuple[str, str, Any]) -> bytes:
    lines = ["time,zone,value"] + [f"{t},{z},{v}" for t, z, v in rows]
    return ("\n".join(lines) + "\n").encode()


def _at(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat().replace("+00:00", "Z")


GOOD = _csv((_at(3), "Z-T1", 4), (_at(2), "Z-T1", 3), (_at(3), "Z-C1", 5))
BAD = _csv((_at(3), "Z-T1", 4), (_at(2), "Z-NOWHERE", 3))


def _stored(world: World) -> list[str]:
    bucket = bucket_name("workspaces", bucket_prefix())
    return sorted(o.object_name or "" for o in
                  world.storage.list_objects(bucket, recursive=True))


def _count(world: World) -> int:
    return world.fresh().exec(select(func.count()).select_from(Measurement)).one()


def _upload(world: World, pid: str, data: bytes, kpi: str = "complaints",
            headers: dict[str, str] | None = None) -> httpx.Response:
    return world.client.post(f"/api/v1/pilots/{pid}/measurements",
                             headers=headers or world.startup, data={"kpi": kpi},
                             files={"file": ("complaints.csv", data, "text/csv")})


def test_an_invalid_upload_is_refused_and_leaves_nothing_behind(world: World) -> None:
    pid = world.approved_pilot()
    refused = _upload(world, pid, BAD)
    assert refused.status_code == 422
    assert "not the pilot's: Z-NOWHERE" in refused.json()["detail"]
    assert _stored(world) == [] and _count(world) == 0
    not_measured = _upload(world, pid, GOOD, kpi="energy_kwh")
    assert not_measured.status_code == 422
    assert "those are: complaints" in not_measured.json()["detail"]


def test_a_valid_upload_is_stored_normalized_and_registered_once(world: World) -> None:
    pid = world.approved_pilot()
    first = _upload(world, pid, GOOD)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["kpi"] == "complaints" and body["unit"] == "count" and body["rows"] == 3
    assert body["zones"] == ["Z-C1", "Z-T1"] and body["source_format"] == "csv"
    assert body["object_key"] == (f"{pid}/measurements/complaints/"
                                  f"{body['source_sha256']}.parquet")
    again = _upload(world, pid, GOOD)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert _count(world) == 1 and _stored(world) == [body["object_key"]]
    stored = world.storage.get_object(bucket_name("workspaces", bucket_prefix()),
                                      body["object_key"]).read()
    frame = pl.read_parquet(io.BytesIO(stored))
    assert frame["zone"].to_list() == ["Z-C1", "Z-T1", "Z-T1"]
    assert frame["value"].to_list() == [5.0, 4.0, 3.0]
    listed = world.client.get(f"/api/v1/pilots/{pid}/measurements", headers=world.startup)
    assert listed.json()["total"] == 1
    other = world.auth(world.territory.other_startup)
    assert _upload(world, pid, GOOD, headers=other).status_code == 404
    assert world.client.get(f"/api/v1/pilots/{pid}/measurements",
                            headers=other).status_code == 404


def test_large_files_go_by_presigned_put_then_validation(world: World) -> None:
    pid = world.approved_pilot()
    tickets = world.client.post(f"/api/v1/pilots/{pid}/measurements/uploads",
                                headers=world.startup, json={"kpi": "complaints"})
    assert tickets.status_code == 201, tickets.text
    ticket = tickets.json()
    assert ticket["key"] == f"{pid}/incoming/{ticket['upload_id']}/complaints.csv"
    assert httpx.put(ticket["url"], content=GOOD).status_code == 200
    validated = world.client.post(
        f"/api/v1/pilots/{pid}/measurements/uploads/{ticket['upload_id']}/validate",
        headers=world.startup)
    assert validated.status_code == 201, validated.text
    key = validated.json()["object_key"]
    assert _stored(world) == [key]  # moved: nothing left in incoming/
    events = world.client.get("/api/v1/access-events", headers=world.startup,
                              params={"pilot_id": pid}).json()
    assert [e["method"] for e in events["items"]] == ["presigned_put"]
    assert events["items"][0]["objects"][0].endswith(ticket["key"])
    twice = world.client.post(
        f"/api/v1/pilots/{pid}/measurements/uploads/{ticket['upload_id']}/validate",
        headers=world.startup)
    assert twice.status_code == 404


def test_an_invalid_presigned_upload_is_refused_and_removed(world: World) -> None:
    pid = world.approved_pilot()
    ticket = world.client.post(f"/api/v1/pilots/{pid}/measurements/uploads",
                               headers=world.startup, json={"kpi": "complaints"}).json()
    assert httpx.put(ticket["url"], content=b"time,zone\n" + _at(1).encode() + b",Z-T1\n"
                     ).status_code == 200
    assert _stored(world) == [ticket["key"]]
    refused = world.client.post(
        f"/api/v1/pilots/{pid}/measurements/uploads/{ticket['upload_id']}/validate",
        headers=world.startup)
    assert refused.status_code == 422 and "missing value" in refused.json()["detail"]
    assert _stored(world) == [] and _count(world) == 0
    missing = world.client.post(
        f"/api/v1/pilots/{pid}/measurements/uploads/{uuid.uuid4()}/validate",
        headers=world.startup)
    assert missing.status_code == 404


def test_the_sweep_deletes_presigned_uploads_left_unvalidated(world: World) -> None:
    from lab.common import utcnow
    from lab.sandbox import service as sandbox
    from lab.sandbox.workspaces import ABANDONED_AFTER

    pid = world.approved_pilot()
    stored = world.client.post(f"/api/v1/pilots/{pid}/measurements", headers=world.startup,
                               data={"kpi": "complaints"},
                               files={"file": ("c.csv", GOOD, "text/csv")}).json()["object_key"]
    ticket = world.client.post(f"/api/v1/pilots/{pid}/measurements/uploads",
                               headers=world.startup, json={"kpi": "complaints"}).json()
    assert httpx.put(ticket["url"], content=GOOD).status_code == 200

    soon = sandbox.sweep(session=world.session, storage=world.storage,
                         now=utcnow() + ABANDONED_AFTER - timedelta(minutes=5))
    assert soon.uploads_deleted == 0 and _stored(world) == sorted([stored, ticket["key"]])
    later = sandbox.sweep(session=world.session, storage=world.storage,
                          now=utcnow() + ABANDONED_AFTER + timedelta(minutes=1))
    assert later.uploads_deleted == 1
    assert _stored(world) == [stored]  # the registered measurement stays
    gone = world.client.post(
        f"/api/v1/pilots/{pid}/measurements/uploads/{ticket['upload_id']}/validate",
        headers=world.startup)
    assert gone.status_code == 404
