"""Grants: made on approval with their scope and expiry, once, ended with their pilot."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, func, select

from lab.audit.models import AuditLog
from lab.common import as_utc, utcnow
from lab.datasets.models import DatasetVersion
from lab.pilots.models import Pilot
from lab.sandbox import transitions
from lab.sandbox.models import Grant
from storage import bucket_name
from tests.lab.sandbox.world import PILOT, TODAY, WINDOW, World, iso, request

pytestmark = pytest.mark.s3


def _objects(world: World, grant_id: str) -> list[str]:
    bucket = bucket_name("sandbox", _prefix())
    return sorted(o.object_name or "" for o in
                  world.storage.list_objects(bucket, prefix=f"{grant_id}/", recursive=True))


def _prefix() -> str:
    from lab.objectstore import bucket_prefix

    return bucket_prefix()


def _count(world: World, pid: str) -> int:
    return world.fresh().exec(select(func.count()).select_from(Grant)
                        .where(Grant.pilot_id == uuid.UUID(pid))).one()


def test_approval_makes_one_grant_per_dataset_with_its_scope_and_expiry(world: World) -> None:
    pid = world.approved_pilot()
    grants = world.grants(pid)
    assert len(grants) == 2
    energy = world.grant_for(pid, world.territory.dataset_id)
    version = world.session.exec(select(DatasetVersion).where(
        DatasetVersion.dataset_id == world.territory.dataset_id)).one()
    assert energy["dataset_version_id"] == str(version.id)
    assert energy["columns"] == ["time", "zone", "energy_kwh"]  # time and zone added
    assert energy["zones"] == ["Z-C1", "Z-T1"]
    assert energy["window_start"] == iso(WINDOW[0]).replace("+00:00", "Z")
    assert energy["window_end"] == iso(WINDOW[1]).replace("+00:00", "Z")
    assert energy["expires_at"] == iso(PILOT[1] + timedelta(days=7)).replace("+00:00", "Z")
    assert energy["status"] == "active" and energy["extract_status"] == "ready"
    assert energy["extract_progress"] == 1.0 and energy["usable"] is True
    assert energy["extract_rows"] > 0 and len(energy["extract_sha256"]) == 64
    assert _objects(world, energy["id"]) == [
        f"{energy['id']}/{world.territory.dataset_id}.parquet", f"{energy['id']}/manifest.json"]
    job = world.client.get(f"/api/v1/jobs/{energy['job_id']}",
                           headers=world.auth(world.territory.epci_city)).json()
    assert job["status"] == "done" and job["result"]["rows"] == energy["extract_rows"]
    created = world.fresh().exec(select(AuditLog).where(AuditLog.action == "grant.create",
                                                        AuditLog.object_id == energy["id"])).one()
    assert created.after is not None and created.after["zones"] == ["Z-C1", "Z-T1"]


def test_approving_twice_never_makes_two_grants(world: World) -> None:
    pid = world.approved_pilot()
    again = world.client.post(f"/api/v1/pilots/{pid}/decisions",
                              headers=world.auth(world.territory.epci_city),
                              json={"decision": "approved"})
    assert again.status_code == 409
    pilot = world.fresh().get(Pilot, uuid.UUID(pid))
    assert pilot is not None
    assert transitions.grant_on_approval(session=world.session, actor=None, pilot=pilot) == []
    world.session.commit()
    assert _count(world, pid) == 2
    first = world.session.exec(select(Grant).where(Grant.pilot_id == pilot.id)).first()
    assert first is not None
    duplicate = Grant(**first.model_dump(exclude={"id"}, warnings=False))
    world.session.add(duplicate)
    with pytest.raises(IntegrityError):
        world.session.commit()  # the database itself refuses a second grant
    world.session.rollback()


def test_two_approvals_racing_make_one_grant_per_dataset(world: World) -> None:
    created = world.client.post("/api/v1/pilots", headers=world.startup, json=world.body())
    pid = created.json()["id"]
    world.client.post(f"/api/v1/pilots/{pid}/submit", headers=world.startup)
    engine = world.session.get_bind()
    barrier, outcomes = threading.Barrier(2), []

    def approve() -> None:
        with Session(engine) as session:
            pilot = session.get(Pilot, uuid.UUID(pid))
            assert pilot is not None
            barrier.wait()
            try:
                made = transitions.grant_on_approval(session=session, actor=None, pilot=pilot)
                session.commit()
                outcomes.append(len(made))
            except OperationalError:  # SQLite: the other writer went first
                outcomes.append(0)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[-1] == 2 and sum(outcomes) == 2
    assert _count(world, pid) == 2


def test_a_pilot_approved_after_its_end_gets_no_usable_grant(world: World) -> None:
    past = {"start": iso(TODAY - timedelta(days=30)), "end": iso(TODAY - timedelta(days=8))}
    window = {"start": iso(TODAY - timedelta(days=40)), "end": iso(TODAY - timedelta(days=9))}
    energy = request(world.territory.dataset_id, ["energy_kwh"], ["Z-T1"]) | {"window": window}
    pid = world.approved_pilot(
        baseline={"start": iso(TODAY - timedelta(days=50)), "end": past["start"]},
        pilot=past, datasets=[energy])
    (grant,) = world.grants(pid)
    assert grant["status"] == "expired" and grant["extract_status"] == "pending"
    assert grant["usable"] is False and "expired" in grant["refusal"]
    assert grant["job_id"] is None and _objects(world, grant["id"]) == []


@pytest.mark.parametrize(("action", "actor", "reason"), [
    ("suspend", "epci_city", "pilot suspended: Plainte riverains"),
    ("withdraw", "startup", "pilot withdrawn: Plainte riverains"),
])
def test_suspension_and_withdrawal_revoke_every_grant_and_delete_its_extract(
        world: World, action: str, actor: str, reason: str) -> None:
    pid = world.approved_pilot()
    ids = [g["id"] for g in world.grants(pid)]
    assert all(_objects(world, i) for i in ids)
    moved = world.client.post(f"/api/v1/pilots/{pid}/{action}",
                              headers=world.auth(getattr(world.territory, actor)),
                              json={"reason": "Plainte riverains"})
    assert moved.status_code == 200, moved.text
    for grant in world.grants(pid):
        assert grant["status"] == "revoked" and grant["revoke_reason"] == reason
        assert grant["usable"] is False
    assert all(_objects(world, i) == [] for i in ids)


def test_completion_keeps_grants_for_the_grace_period_only(world: World) -> None:
    pid = world.approved_pilot()
    world.client.post(f"/api/v1/pilots/{pid}/start", headers=world.startup)
    done = world.client.post(f"/api/v1/pilots/{pid}/complete", headers=world.startup)
    assert done.json()["status"] == "completed"
    for grant in world.grants(pid):
        expiry = as_utc(world.fresh().get(Grant, uuid.UUID(grant["id"])).expires_at)  # type: ignore[union-attr]
        assert utcnow() + timedelta(days=6) < expiry <= utcnow() + timedelta(days=7)
        assert grant["usable"] is True  # the startup still works on its data


def test_a_failed_extract_shows_its_reason_and_is_rebuilt_by_the_city(world: World) -> None:
    version = world.session.exec(select(DatasetVersion).where(
        DatasetVersion.dataset_id == world.territory.dataset_id)).one()
    datasets = bucket_name("datasets", _prefix())
    assert version.object_key is not None
    kept = world.storage.get_object(datasets, version.object_key).read()
    world.storage.remove_object(datasets, version.object_key)
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    assert grant["extract_status"] == "failed" and grant["usable"] is False
    assert "missing from the datasets bucket" in grant["extract_error"]
    refused = world.client.post(f"/api/v1/grants/{grant['id']}/links", headers=world.startup)
    assert refused.status_code == 409 and "could not be built" in refused.json()["detail"]
    assert world.client.post(f"/api/v1/grants/{grant['id']}/rebuild",
                             headers=world.startup).status_code == 403
    import io

    world.storage.put_object(datasets, version.object_key, io.BytesIO(kept), len(kept),
                             metadata={"sha256": version.sha256 or ""})
    rebuilt = world.client.post(f"/api/v1/grants/{grant['id']}/rebuild",
                                headers=world.auth(world.territory.epci_city))
    assert rebuilt.status_code == 202, rebuilt.text
    assert rebuilt.json()["extract_status"] == "ready" and rebuilt.json()["usable"] is True


def test_an_approved_amendment_supersedes_the_earlier_grants(world: World) -> None:
    pid = world.approved_pilot()
    old = {g["id"] for g in world.grants(pid)}
    world.client.post(f"/api/v1/pilots/{pid}/start", headers=world.startup)
    amended = world.body(datasets=[request(world.territory.dataset_id, ["sensor_id"],
                                           ["Z-T2"])])["protocol"]
    response = world.client.post(f"/api/v1/pilots/{pid}/amendments", headers=world.startup,
                                 json={"protocol": amended, "reason": "Another zone"})
    assert response.status_code == 200, response.text
    during = world.grants(pid)
    assert all("submitted" in g["refusal"] for g in during)  # under review: nothing issued
    for city in (world.territory.commune_city, world.territory.epci_city):
        world.client.post(f"/api/v1/pilots/{pid}/decisions", headers=world.auth(city),
                          json={"decision": "approved"})
    grants = {g["id"]: g for g in world.grants(pid)}
    (new,) = [g for i, g in grants.items() if i not in old]
    assert new["protocol_version"] == 2 and new["zones"] == ["Z-T2"] and new["usable"]
    for i in old:
        assert grants[i]["status"] == "revoked"
        assert grants[i]["revoke_reason"] == "superseded by protocol version 2"
        assert _objects(world, i) == []


def test_a_dataset_whose_version_lacks_its_zone_column_is_not_granted(world: World) -> None:
    created = world.client.post("/api/v1/pilots", headers=world.startup, json=world.body())
    pid = created.json()["id"]
    world.client.post(f"/api/v1/pilots/{pid}/submit", headers=world.startup)
    version = world.session.exec(select(DatasetVersion).where(
        DatasetVersion.dataset_id == world.second_dataset)).one()
    version.columns = [c for c in version.columns or [] if c["name"] != "zone"]
    world.session.add(version)
    world.session.commit()
    for city in (world.territory.commune_city, world.territory.epci_city):
        decided = world.client.post(f"/api/v1/pilots/{pid}/decisions",
                                    headers=world.auth(city), json={"decision": "approved"})
    assert decided.json()["status"] == "approved"  # the approval stands
    assert [g["dataset_id"] for g in world.grants(pid)] == [str(world.territory.dataset_id)]
    skipped = world.fresh().exec(select(AuditLog).where(AuditLog.action == "grant.skip")).one()
    assert skipped.object_id == pid and "zone column" in (skipped.reason or "")


def test_an_administrator_revokes_any_grant_with_a_reason(world: World) -> None:
    from lab.auth.models import Role
    from tests.factories import make_user

    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.second_dataset)
    admin = make_user(world.session, Role.admin)
    revoked = world.client.post(f"/api/v1/grants/{grant['id']}/revoke",
                                headers=world.auth(admin), json={"reason": "Audit CNIL"})
    assert revoked.status_code == 200 and revoked.json()["revoke_reason"] == "Audit CNIL"
    assert _objects(world, grant["id"]) == []
    entry = world.fresh().exec(select(AuditLog).where(AuditLog.action == "grant.revoke",
                                                      AuditLog.object_id == grant["id"])).one()
    assert entry.actor_id == admin.id and entry.reason == "Audit CNIL"
