"""Public zones: anyone reads the territory's district boundaries, nothing internal."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_authority, make_zone

URL = "/api/v1/public/zones"


def test_anyone_reads_zones_with_their_outline_without_a_token(client: TestClient,
                                                               session: Session) -> None:
    commune = make_authority(session, name="Commune de Villeurbanne")
    make_zone(session, commune, code="Z-02", lon=4.88, lat=45.77)
    make_zone(session, commune, code="Z-01", lon=4.87, lat=45.76)
    response = client.get(URL)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2
    assert [z["code"] for z in page["items"]] == ["Z-01", "Z-02"]
    first = page["items"][0]
    assert first["authority"] == "Commune de Villeurbanne"
    assert first["geometry"]["type"] == "Polygon"
    assert first["geometry"]["coordinates"][0][0] == [4.87, 45.76]


def test_nothing_internal_is_exposed(client: TestClient, session: Session) -> None:
    zone = make_zone(session, make_authority(session))
    item = client.get(URL).json()["items"][0]
    assert set(item) == {"code", "name", "authority", "geometry"}
    text = client.get(URL).text
    for internal in (str(zone.id), str(zone.authority_id), "min_lon", "created_at"):
        assert internal not in text, internal


def test_pages_are_bounded_and_ordered(client: TestClient, session: Session) -> None:
    commune = make_authority(session)
    for i in range(5):
        make_zone(session, commune, code=f"Z-{i:02d}")
    page = client.get(URL, params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1
    assert [z["code"] for z in page["items"]] == ["Z-01", "Z-02"]
    too_big = client.get(URL, params={"limit": 10_000})
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "limit"


def test_filter_by_authority(client: TestClient, session: Session) -> None:
    one, other = make_authority(session), make_authority(session)
    make_zone(session, one, code="A-1")
    make_zone(session, other, code="B-1")
    page = client.get(URL, params={"authority_id": str(other.id)}).json()
    assert page["total"] == 1 and page["items"][0]["code"] == "B-1"
    assert client.get(URL, params={"authority_id": "not-a-uuid"}).status_code == 422
