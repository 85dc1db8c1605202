"""The public pilot resource: what, where, who, which data, how to take part; filters by
authority, domain and place name; the QR code of the quick page; the city's A4 poster."""

from __future__ import annotations

import io
import uuid

import segno
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from lab.auth.models import Role
from lab.pilots import lifecycle
from lab.places import service as places
from lab.places.models import PlaceCreate
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from lab.settings import LabSettings
from lab.street import codes
from lab.zones import service as zones
from tests.factories import login, make_authority, make_user
from tests.lab.feedback.scenario import publish_consent
from tests.lab.pilots.scenario import Territory
from tests.lab.street.scenario import quick_pilot

PUBLIC = "https://terrain.example"


def _two_pilots(session: Session) -> tuple[Territory, uuid.UUID, uuid.UUID]:
    """A lighting pilot in Z-T1/Z-T2 (Gratte-Ciel) and a mobility pilot in Z-C2
    (Croix-Luizet), both approved by the commune and the EPCI."""
    t, lighting, _code = quick_pilot(session)
    for code, name in (("Z-T1", "Gratte-Ciel"), ("Z-C2", "Croix-Luizet")):
        zone = zones.zones_by_code(session=session, codes=[code])[code]
        zone.name = name
        session.add(zone)
    session.commit()
    bikes = prototypes.create_prototype(session=session, actor=t.startup, data=PrototypeCreate(
        name="VéloBox", domain="mobility", readiness_level=7, contact_name="Bo",
        contact_email="bo@velo.example"))
    _t, mobility, _code = quick_pilot(session, t, prototype_id=bikes.id,
                                      treated_zones=["Z-C2"], datasets=[])
    return t, lighting, mobility


def test_the_public_item_says_what_where_who_and_which_data(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    settings.public_url = PUBLIC + "/"
    t, pilot_id, code = quick_pilot(session)
    t.commune.phone = "04 78 00 00 00"
    session.add(t.commune)
    session.commit()
    publish_consent(session, t, pilot_id)
    item = client.get(f"/api/v1/public/pilots/{pilot_id}").json()
    listed = client.get("/api/v1/public/pilots").json()["items"]
    assert listed == [item]
    assert item["prototype"] == {"name": "LumiAdapt", "domain": "lighting", "description": ""}
    assert item["startup"] and item["title"] == "Éclairage adaptatif"
    assert [z["code"] for z in item["zones"]] == ["Z-T1", "Z-T2"]
    assert item["zones"][0]["geometry"]["type"] == "Polygon"
    assert item["zones"][0]["authority"] == "Commune de Villeurbanne"
    authorities = {a["name"]: a for a in item["authorities"]}
    assert authorities["Commune de Villeurbanne"]["phone"] == "04 78 00 00 00"
    assert authorities["Métropole de Lyon"]["level"] == "epci"
    assert item["approved_by"] == ["Commune de Villeurbanne", "Métropole de Lyon"]
    (data,) = item["data_used"]
    assert data["name"] == "Consommation éclairage" and data["authority"] == "Métropole de Lyon"
    assert data["columns"] == ["time", "zone", "energy_kwh"]
    assert data["zones"] == ["Z-T1", "Z-T2", "Z-C1"]
    assert data["window_start"].startswith("2025-12-31T23:00:00")
    assert item["consent"]["version"] == 1 and item["how_to_take_part"]["open"] is True
    assert item["quick_feedback_url"] == f"{PUBLIC}/q/{code}"
    assert item["qr_code_url"] == f"{PUBLIC}/api/v1/public/pilots/{pilot_id}/qr.svg"
    lifecycle.complete(session=session, actor=t.startup, pilot_id=pilot_id)
    gone = client.get(f"/api/v1/public/pilots/{pilot_id}")
    assert gone.status_code == 404 and gone.headers["content-type"].startswith(
        "application/problem+json")
    assert client.get(f"/api/v1/public/pilots/{uuid.uuid4()}").status_code == 404


def test_filters_by_place_name_domain_and_authority(client: TestClient,
                                                    session: Session) -> None:
    t, lighting, mobility = _two_pilots(session)
    stranger = make_authority(session, name="Commune de Bron")

    def ids(**params: str) -> set[str]:
        page = client.get("/api/v1/public/pilots", params=params).json()
        assert page["total"] == len(page["items"])
        return {item["id"] for item in page["items"]}

    both = {str(lighting), str(mobility)}
    assert ids() == both
    assert ids(q="gratte ciel") == ids(q="GRATTE-CIEL") == {str(lighting)}
    assert ids(q="croix-luizet") == {str(mobility)}
    assert ids(q="metropole") == ids(q="Villeurbanne") == both  # the authorities' names
    assert ids(q="Bron") == set() and ids(q="Paris") == set()
    assert ids(domain="mobility") == {str(mobility)}
    assert ids(domain="lighting", q="croix") == set()
    assert ids(authority=str(t.epci.id)) == both
    assert ids(authority=str(stranger.id)) == set()
    page = client.get("/api/v1/public/pilots", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_qr_codes_encode_the_quick_page_address(client: TestClient, session: Session,
                                                settings: LabSettings) -> None:
    settings.public_url = PUBLIC
    t, pilot_id, code = quick_pilot(session)
    svg = client.get(f"/api/v1/public/pilots/{pilot_id}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and "<script" not in svg.text
    # the same matrix as the QR code of the quick page's address (and not of another one)
    expected = segno.make(f"{PUBLIC}/q/{code}", error="m", micro=False)
    other = segno.make(f"{PUBLIC}/q/{codes.short_code(uuid.uuid4())}", error="m", micro=False)
    assert expected.svg_data_uri() != other.svg_data_uri()
    out = io.BytesIO()
    expected.save(out, kind="svg", scale=8, border=4, xmldecl=False, svgns=True,
                  title="Éclairage adaptatif", nl=False, light="#fff")
    assert svg.text == out.getvalue().decode()
    png = client.get(f"/api/v1/public/pilots/{pilot_id}/qr.png")
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    side = (expected.symbol_size(scale=8, border=4))[0]
    assert image.size == (side, side)
    lifecycle.complete(session=session, actor=t.startup, pilot_id=pilot_id)
    assert client.get(f"/api/v1/public/pilots/{pilot_id}/qr.png").status_code == 404


def test_the_poster_is_for_the_startup_and_the_city_members_concerned(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    settings.public_url = PUBLIC
    t, pilot_id, code = quick_pilot(session)
    t.epci.phone = "04 72 00 00 00"
    session.add(t.epci)
    session.commit()
    path = f"/api/v1/pilots/{pilot_id}/poster"
    assert client.get(path).status_code == 401
    poster = client.get(path, headers=login(client, t.commune_city))
    assert poster.status_code == 200 and poster.headers["content-type"].startswith("text/html")
    html = poster.text
    assert "@page{size:A4 portrait" in html and "<script" not in html
    assert "<h1>Éclairage adaptatif</h1>" in html
    assert "Les lampadaires baissent quand la rue est vide." in html
    assert "<svg" in html and f"terrain.example/q/{code}" in html
    assert codes.spaced(code) in html
    assert "Métropole de Lyon au 04 72 00 00 00" in html
    english = client.get(path, params={"lang": "en"}, headers=login(client, t.startup))
    assert english.status_code == 200 and "Scan the code with your phone" in english.text
    stranger = make_user(session, Role.city, authority=make_authority(session))
    for user in (t.other_startup, stranger):
        assert client.get(path, headers=login(client, user)).status_code == 404
    # a place that handles the pilot in person gives its own phone number
    places.create_place(session=session, actor=t.commune_city, data=PlaceCreate(
        kind="front_desk", name="Mairie annexe", address="1 rue de la Paix",
        phone="04 11 22 33 44", lon=4.88, lat=45.77, pilot_ids=[pilot_id]))
    html = client.get(path, headers=login(client, t.commune_city)).text
    assert "Mairie annexe au 04 11 22 33 44" in html and "04 72 00 00 00" not in html
