"""Places to take part in person: managed by their authority's city members, listed for
anyone, and named by mediators when they record feedback there."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.audit.models import AuditLog
from lab.auth.models import Role
from lab.feedback.models import Feedback
from lab.settings import LabSettings
from tests.factories import make_user
from tests.lab.feedback.scenario import answers, bearer, key, make_setting


def _place(**changes: Any) -> dict[str, Any]:
    body = {"kind": "france_services", "name": "France Services Villeurbanne",
            "address": "12 rue Colin, 69100 Villeurbanne", "opening_hours": "Lun–ven 9h–12h",
            "phone": "04 78 00 00 00", "lon": 4.88, "lat": 45.77}
    body.update(changes)
    return body


def test_city_members_manage_their_places_and_anyone_lists_them(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    city = bearer(settings, s.t.commune_city)
    created = client.post("/api/v1/places", headers=city,
                          json=_place(pilot_ids=[str(s.pilot_id)]))
    assert created.status_code == 201, created.text
    place = created.json()
    assert place["geometry"] == {"type": "Point", "coordinates": [4.88, 45.77]}
    assert place["authority_name"] == "Commune de Villeurbanne"
    client.post("/api/v1/places", headers=city, json=_place(name="Médiathèque", kind="library"))
    public = client.get("/api/v1/public/places").json()
    assert public["total"] == 2
    by_pilot = client.get("/api/v1/public/places", params={"pilot_id": str(s.pilot_id)}).json()
    assert [p["id"] for p in by_pilot["items"]] == [place["id"]]
    url = f"/api/v1/places/{place['id']}"
    stranger = bearer(settings, make_user(session, Role.city, authority=s.stranger_authority))
    assert client.patch(url, headers=stranger, json={"name": "Mine"}).status_code == 403
    assert client.delete(url, headers=stranger).status_code == 403
    refused = client.post("/api/v1/places", headers=stranger,
                          json=_place(pilot_ids=[str(s.pilot_id)]))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "pilot_ids"
    startup = client.post("/api/v1/places", headers=bearer(settings, s.t.startup),
                          json=_place())
    assert startup.status_code == 403
    assert client.post("/api/v1/places", headers=city,
                       json=_place(lon=200)).status_code == 422
    moved = client.patch(url, headers=city, json={"pilot_ids": [], "opening_hours": "Sam 9h"})
    assert moved.json()["pilot_ids"] == [] and moved.json()["opening_hours"] == "Sam 9h"
    assert client.get("/api/v1/public/places",
                      params={"pilot_id": str(s.pilot_id)}).json()["total"] == 0
    assert client.delete(url, headers=city).status_code == 204
    assert client.get("/api/v1/public/places").json()["total"] == 1
    actions = session.exec(select(AuditLog.action).where(AuditLog.object_id == place["id"])
                           .order_by(AuditLog.id)).all()  # type: ignore[arg-type]
    assert actions == ["place.create", "place.update", "place.delete"]


def test_mediated_feedback_records_a_place_of_the_mediators_authority(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    city = bearer(settings, s.t.commune_city)
    mine = client.post("/api/v1/places", headers=city, json=_place()).json()
    stranger_city = make_user(session, Role.city, authority=s.stranger_authority)
    theirs = client.post("/api/v1/places", headers=bearer(settings, stranger_city),
                         json=_place(name="Ailleurs")).json()
    url = f"/api/v1/pilots/{s.pilot_id}/feedback/mediated"
    mediator = bearer(settings, s.mediator)
    count = select(func.count()).select_from(Feedback)
    before = session.exec(count).one()
    for place_id in (theirs["id"], str(uuid.uuid4())):
        refused = client.post(url, headers={**mediator, **key()},
                              json=answers(channel="counter", place_id=place_id))
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "place_id"
    assert session.exec(count).one() == before
    stored = client.post(url, headers={**mediator, **key()},
                         json=answers(channel="counter", place_id=mine["id"]))
    assert stored.status_code == 201, stored.text
    row = session.get(Feedback, uuid.UUID(stored.json()["id"]))
    assert row is not None and str(row.place_id) == mine["id"]
    listed = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback", headers=city).json()
    assert listed["items"][0]["place_id"] == mine["id"]
    web = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback", json=answers(
        place_id=mine["id"]), headers={**mediator, **key()})
    assert web.status_code in (403, 422)  # web answers carry no place
