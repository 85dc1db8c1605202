"""Every authority that approved a pilot sees its grants and can revoke them, not only the
owner of each dataset; an authority the pilot does not concern sees nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lab.audit.models import AuditLog
from lab.auth.models import Role
from tests.factories import make_user
from tests.lab.sandbox.world import World

pytestmark = pytest.mark.s3


def test_a_co_approving_commune_sees_and_revokes_the_pilots_grants(world: World) -> None:
    pid = world.approved_pilot()
    energy = world.grant_for(pid, world.territory.dataset_id)  # owned by the EPCI
    commune = world.auth(world.territory.commune_city)  # approved, owns only the other one
    listed = world.client.get("/api/v1/grants", headers=commune, params={"pilot_id": pid})
    assert listed.status_code == 200
    assert {g["dataset_id"] for g in listed.json()["items"]} == {
        str(world.territory.dataset_id), str(world.second_dataset)}
    assert world.client.get(f"/api/v1/grants/{energy['id']}", headers=commune).status_code == 200

    outsider = world.auth(make_user(world.session, Role.city))
    assert world.client.get("/api/v1/grants", headers=outsider,
                            params={"pilot_id": pid}).json()["total"] == 0
    base = f"/api/v1/grants/{energy['id']}"
    assert world.client.get(base, headers=outsider).status_code == 404
    assert world.client.post(f"{base}/revoke", headers=outsider,
                             json={"reason": "not ours"}).status_code == 404

    revoked = world.client.post(f"{base}/revoke", headers=commune,
                                json={"reason": "Conditions d'usage non respectées"})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and not revoked.json()["usable"]
    # Neither the startup's links nor a second revocation go through afterwards.
    assert world.client.post(f"{base}/links", headers=world.startup).status_code == 410
    assert world.client.post(f"{base}/revoke", headers=commune,
                             json={"reason": "again"}).status_code == 409
    entry = world.fresh().exec(select(AuditLog).where(
        AuditLog.object_type == "grant", AuditLog.object_id == energy["id"],
        AuditLog.action == "grant.revoke")).first()
    assert entry is not None and entry.actor_id == world.territory.commune_city.id
