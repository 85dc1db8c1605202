"""Dataset metadata: who creates, edits and reads it, filters, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from lab.audit.models import AuditLog
from lab.auth.models import Role
from lab.datasets.models import Dataset, DatasetVersion
from tests.factories import login, make_authority, make_dataset, make_user

BODY = {"name": "Comptages vélo", "domain": "mobility", "sensitivity": "open",
        "licence": "Licence Ouverte 2.0", "description": "Boucles de comptage",
        "time_column": "horodatage", "zone_column": "iris"}


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Dataset)).one()


def test_city_member_creates_and_edits_its_authority_dataset(client: TestClient,
                                                             session: Session) -> None:
    authority = make_authority(session)
    city = make_user(session, Role.city, authority=authority)
    created = client.post("/api/v1/datasets", headers=login(client, city), json=BODY)
    assert created.status_code == 201, created.text
    dataset = created.json()
    assert dataset["authority_id"] == str(authority.id) and dataset["time_column"] == "horodatage"
    edited = client.patch(f"/api/v1/datasets/{dataset['id']}", headers=login(client, city),
                          json={"sensitivity": "restricted", "zone_column": "zone"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["sensitivity"], edited.json()["zone_column"]) == ("restricted", "zone")
    trail = session.exec(select(AuditLog).where(AuditLog.object_id == dataset["id"])
                         .order_by(col(AuditLog.id))).all()
    assert [e.action for e in trail] == ["dataset.create", "dataset.update"]
    assert trail[1].before and trail[1].before["sensitivity"] == "open"
    assert trail[1].after and trail[1].after["sensitivity"] == "restricted"


def test_only_curators_of_the_owning_authority_create_or_edit(client: TestClient,
                                                              session: Session) -> None:
    dataset = make_dataset(session)
    for role in (Role.startup, Role.citizen, Role.mediator):
        headers = login(client, make_user(session, role))
        refused = client.post("/api/v1/datasets", headers=headers, json=BODY)
        assert refused.status_code == 403, (role, refused.text)
        assert "city members" in refused.json()["detail"]
    other_city = login(client, make_user(session, Role.city))
    named = client.post("/api/v1/datasets", headers=other_city,
                        json=BODY | {"authority_id": str(dataset.authority_id)})
    assert named.status_code == 403
    edit = client.patch(f"/api/v1/datasets/{dataset.id}", headers=other_city,
                        json={"name": "hijacked"})
    assert edit.status_code == 403 and "owning authority" in edit.json()["detail"]
    assert _count(session) == 1


def test_admin_must_name_the_authority(client: TestClient, session: Session) -> None:
    authority = make_authority(session)
    headers = login(client, make_user(session, Role.admin))
    unnamed = client.post("/api/v1/datasets", headers=headers, json=BODY)
    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "authority_id"
    named = client.post("/api/v1/datasets", headers=headers,
                        json=BODY | {"authority_id": str(authority.id)})
    assert named.status_code == 201 and named.json()["authority_id"] == str(authority.id)


def test_bad_metadata_is_refused_naming_the_field(client: TestClient,
                                                  session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    for field, value in (("sensitivity", "secret"), ("time_column", "date heure"),
                         ("name", "")):
        response = client.post("/api/v1/datasets", headers=headers, json=BODY | {field: value})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    assert _count(session) == 0


def test_declared_columns_are_fixed_once_a_version_exists(client: TestClient,
                                                          session: Session) -> None:
    authority = make_authority(session)
    dataset = make_dataset(session, authority)
    session.add(DatasetVersion(dataset_id=dataset.id, number=1))
    session.commit()
    headers = login(client, make_user(session, Role.city, authority=authority))
    moved = client.patch(f"/api/v1/datasets/{dataset.id}", headers=headers,
                         json={"time_column": "ts"})
    assert moved.status_code == 409 and moved.json()["errors"][0]["field"] == "time_column"
    same = client.patch(f"/api/v1/datasets/{dataset.id}", headers=headers,
                        json={"time_column": "time", "licence": "ODbL"})
    assert same.status_code == 200 and same.json()["licence"] == "ODbL"


def test_list_filters_paginates_and_hides_from_citizens(client: TestClient,
                                                        session: Session) -> None:
    a, b = make_authority(session), make_authority(session)
    make_dataset(session, a, name="A open", sensitivity="open")
    make_dataset(session, a, name="A personal", sensitivity="personal")
    make_dataset(session, b, name="B restricted", sensitivity="restricted")
    headers = login(client, make_user(session, Role.startup))

    def names(**params: str) -> list[str]:
        response = client.get("/api/v1/datasets", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [d["name"] for d in response.json()["items"]]

    assert names() == ["A open", "A personal", "B restricted"]
    assert names(authority_id=str(a.id)) == ["A open", "A personal"]
    assert names(sensitivity="restricted") == ["B restricted"]
    assert names(domain="energy") == []
    assert names(limit="2", offset="2") == ["B restricted"]
    assert client.get("/api/v1/datasets", headers=headers,
                      params={"limit": "1000"}).status_code == 422
    citizen = login(client, make_user(session, Role.citizen))
    refused = client.get("/api/v1/datasets", headers=citizen)
    assert refused.status_code == 403 and "citizen" in refused.json()["detail"]


def test_upload_without_an_object_store_is_503(client: TestClient, session: Session) -> None:
    authority = make_authority(session)
    dataset = make_dataset(session, authority)
    headers = login(client, make_user(session, Role.city, authority=authority))
    response = client.post(f"/api/v1/datasets/{dataset.id}/versions", headers=headers,
                           files={"file": ("x.csv", b"time,zone\n2024-01-01,A\n")})
    assert response.status_code == 503 and "STORAGE_ENDPOINT" in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(DatasetVersion)).one() == 0

