"""The access log: every issuance and download on record, append-only, seen by whom it
concerns, exported as CSV; and a startup sees nothing of another startup's grants."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lab.auth.models import Role
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from tests.factories import make_user
from tests.lab.sandbox.world import World, request

pytestmark = pytest.mark.s3


def _use_grant(world: World, grant_id: str) -> str:
    """Issue a link and credentials and download once; return the credentials' secret."""
    agent = {**world.startup, "User-Agent": "=HYPERLINK(\"x\") analyst-notebook/1.0"}
    assert world.client.post(f"/api/v1/grants/{grant_id}/links",
                             headers=agent).status_code == 200
    creds = world.client.post(f"/api/v1/grants/{grant_id}/credentials", headers=agent).json()
    assert world.client.get(f"/api/v1/grants/{grant_id}/objects/manifest",
                            headers=agent).status_code == 200
    return str(creds["secret_access_key"])


def test_every_issuance_and_download_is_an_access_event(world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    secret = _use_grant(world, grant["id"])
    page = world.client.get("/api/v1/access-events", headers=world.startup,
                            params={"grant_id": grant["id"]}).json()
    assert page["total"] == 3
    methods = [e["method"] for e in page["items"]]
    assert methods == ["api_download", "sts_credentials", "presigned_get"]  # newest first
    for event in page["items"]:
        assert event["actor_id"] == str(world.territory.startup.id)
        assert event["actor_role"] == "startup" and event["pilot_id"] == pid
        assert event["client_address"] == "testclient"
        assert event["user_agent"].endswith("analyst-notebook/1.0")
        assert event["objects"] and all(o.startswith(grant["id"]) or "-sandbox/" in o
                                        for o in event["objects"])
    download, credentials, links = page["items"]
    assert credentials["detail"]["access_key_id"] and credentials["valid_until"]
    assert credentials["objects"] == [f"{links['objects'][0].split('/')[0]}/{grant['id']}/*"]
    assert len(links["objects"]) == 2 and links["valid_until"]
    assert download["objects"][0].endswith(f"{grant['id']}/manifest.json")
    assert secret not in json.dumps(page)  # the key id is kept, never the secret
    small = world.client.get("/api/v1/access-events", headers=world.startup,
                             params={"grant_id": grant["id"], "limit": 2, "offset": 2}).json()
    assert small["total"] == 3 and [e["method"] for e in small["items"]] == ["presigned_get"]


def test_the_access_log_is_append_only(world: World) -> None:
    pid = world.approved_pilot()
    _use_grant(world, world.grant_for(pid, world.territory.dataset_id)["id"])
    for statement in ("UPDATE access_event SET client_address = 'elsewhere'",
                      "DELETE FROM access_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            world.session.execute(text(statement))
        world.session.rollback()


def test_every_approving_authority_sees_the_pilots_events_and_exports_csv(
        world: World) -> None:
    pid = world.approved_pilot()
    energy = world.grant_for(pid, world.territory.dataset_id)  # the EPCI's dataset
    second = world.grant_for(pid, world.second_dataset)  # the commune's
    _use_grant(world, energy["id"])
    _use_grant(world, second["id"])
    # Both authorities approved the pilot: each sees every event of it, not only those of
    # its own dataset.
    for city in (world.territory.epci_city, world.territory.commune_city):
        seen = world.client.get("/api/v1/access-events", headers=world.auth(city)).json()
        assert seen["total"] == 6
        assert {e["grant_id"] for e in seen["items"]} == {energy["id"], second["id"]}
    assert world.client.get("/api/v1/access-events", headers=world.startup).json()["total"] == 6
    outsider = world.auth(make_user(world.session, Role.city))
    assert world.client.get("/api/v1/access-events", headers=outsider).json()["total"] == 0
    citizen = world.auth(make_user(world.session, Role.citizen))
    assert world.client.get("/api/v1/access-events", headers=citizen).status_code == 403

    exported = world.client.get("/api/v1/access-events.csv",
                                headers=world.auth(world.territory.epci_city),
                                params={"grant_id": energy["id"]})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["method"] for r in rows] == ["presigned_get", "sts_credentials", "api_download"]
    assert {r["grant_id"] for r in rows} == {energy["id"]}
    assert all(r["user_agent"].startswith("'=HYPERLINK") for r in rows)  # not a formula


def test_a_startup_cannot_list_revoke_or_read_another_startups_grants_or_events(
        world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    _use_grant(world, grant["id"])
    other = world.territory.other_startup
    headers = world.auth(other)
    proto = prototypes.create_prototype(session=world.session, actor=other, data=PrototypeCreate(
        name="Other", domain="lighting", readiness_level=5, contact_name="Bo",
        contact_email="bo@other.example"))
    theirs = world.approved_pilot(owner=other, prototype_id=proto.id, datasets=[
        request(world.territory.dataset_id, ["energy_kwh"], ["Z-C1"])])
    (their_grant,) = world.grants(theirs, headers)

    assert {g["id"] for g in world.grants(pid, headers)} == set()
    listed = world.client.get("/api/v1/grants", headers=headers).json()
    assert [g["id"] for g in listed["items"]] == [their_grant["id"]]
    base = f"/api/v1/grants/{grant['id']}"
    assert world.client.get(base, headers=headers).status_code == 404
    assert world.client.post(f"{base}/revoke", headers=headers,
                             json={"reason": "mine"}).status_code == 404
    for what in ("links", "credentials"):
        assert world.client.post(f"{base}/{what}", headers=headers).status_code == 404
    assert world.client.get(f"{base}/objects/data", headers=headers).status_code == 404
    assert world.client.get("/api/v1/access-events", headers=headers,
                            params={"grant_id": grant["id"]}).status_code == 404
    assert world.client.get("/api/v1/access-events", headers=headers,
                            params={"pilot_id": pid}).status_code == 404
    assert world.client.get("/api/v1/access-events", headers=headers).json()["total"] == 0
    exported = world.client.get("/api/v1/access-events.csv", headers=headers)
    assert exported.text.strip().count("\n") == 0  # the header only
    assert world.client.get(f"/api/v1/grants/{uuid.uuid4()}", headers=headers).status_code == 404
    # ...nor revoke its own: that is the city's call.
    assert world.client.post(f"/api/v1/grants/{their_grant['id']}/revoke", headers=headers,
                             json={"reason": "done"}).status_code == 403
