"""Every workspace page in AppTest against the real API: it renders for its role without an
exception, and its forms reach the API and show the new state."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from lab.auth.models import Role, User
from lab.pilots.models import Pilot
from lab.prototypes.models import Prototype
from tests.factories import login, make_user
from tests.lab.pilots.scenario import draft_body, make_territory
from tests.ui.conftest import APP
from tests.ui.test_shell import run, sign_in, titles
from ui.app import ROLE_PAGES

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def page_path(file: str) -> str:
    return f"app_pages/{file}"


def visit(at: AppTest, file: str) -> AppTest:
    at.switch_page(page_path(file))
    return run(at)


@pytest.mark.parametrize("role", ["startup", "city", "admin"])
def test_every_page_of_a_role_renders_without_error(live_api: str, session: Session,
                                                    role: str) -> None:
    territory = make_territory(session)
    user = {"startup": territory.startup, "city": territory.commune_city,
            "admin": make_user(session, Role.admin)}[role]
    at = sign_in(AppTest.from_file(APP, default_timeout=30), user.email)
    for file, _url, _key, _icon in ROLE_PAGES[role]:
        visit(at, file)
        assert titles(at), file
        assert not [e.value for e in at.error], (file, [e.value for e in at.error])


def test_a_startup_creates_a_prototype_and_sees_it_listed(live_api: str,
                                                         session: Session) -> None:
    user = make_user(session, Role.startup)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), user.email)
    visit(at, "startup/prototypes.py")
    fields = at.text_input  # the form's fields in order: name, domain, contact, email
    fields[0].input("Capteur de bruit")
    fields[1].input("environnement")
    fields[2].input("Ada Lovelace")
    fields[3].input("ada@bruit.example")
    next(b for b in at.button if b.label == "Enregistrer").click()
    run(at)
    assert [s.value for s in at.success] == ["Enregistré."]
    assert any("Capteur de bruit" in e.label for e in at.expander)
    stored = session.exec(select(Prototype).where(Prototype.name == "Capteur de bruit")).one()
    assert stored.readiness_level == 5 and stored.domain == "environnement"


def test_a_bad_prototype_shows_the_problem_next_to_its_field(live_api: str,
                                                            session: Session) -> None:
    user = make_user(session, Role.startup)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), user.email)
    visit(at, "startup/prototypes.py")
    at.text_input[0].input("Capteur")
    at.text_input[1].input("environnement")
    at.text_input[2].input("Ada")
    at.text_input[3].input("not an email")
    next(b for b in at.button if b.label == "Enregistrer").click()
    run(at)
    assert [e.value.splitlines()[0] for e in at.error] == ["Certaines valeurs sont à corriger."]
    assert any("email" in c.value for c in at.caption)


def test_a_city_member_decides_and_the_queue_updates_at_once(live_api: str,
                                                            session: Session,
                                                            client: TestClient) -> None:
    territory = make_territory(session)
    headers = login(client, territory.startup)
    pilot = client.post("/api/v1/pilots", headers=headers, json=draft_body(territory)).json()
    submitted = client.post(f"/api/v1/pilots/{pilot['id']}/submit", headers=headers)
    assert submitted.status_code == 200

    at = sign_in(AppTest.from_file(APP, default_timeout=30), territory.commune_city.email)
    assert titles(at) == ["À décider"]  # the first page after signing in
    visit(at, "city/review.py")
    assert [s.value for s in at.subheader][:1] == ["Éclairage adaptatif"]
    at.text_area[0].input("D'accord pour la commune")
    next(b for b in at.button if b.label == "Décider").click()
    run(at)
    assert [s.value for s in at.success] == ["Décision enregistrée."]
    assert [i.value for i in at.info] == ["Aucun pilote n'attend votre décision."]
    session.expire_all()
    stored = session.get(Pilot, uuid.UUID(pilot["id"]))
    assert stored is not None and stored.status == "submitted"  # the EPCI has yet to decide


def test_the_admin_creates_an_account(live_api: str, session: Session) -> None:
    admin = make_user(session, Role.admin)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), admin.email)
    assert titles(at) == ["Utilisateurs"]
    visit(at, "admin/users.py")
    at.selectbox[0].set_value("citizen")
    run(at)
    at.text_input[0].input("new.citizen@terrain.example")
    at.text_input[1].input("Nouvelle Citoyenne")
    at.text_input[2].input("a long enough password")
    next(b for b in at.button if b.label == "Créer le compte").click()
    run(at)
    assert [s.value for s in at.success] == ["Compte new.citizen@terrain.example créé."]
    created = session.exec(select(User).where(User.email == "new.citizen@terrain.example")).one()
    assert created.role == "citizen" and created.is_active


def test_the_wizard_saves_a_draft_once_the_protocol_is_complete(live_api: str,
                                                                session: Session) -> None:
    territory = make_territory(session)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), territory.startup.email)
    visit(at, "startup/new_pilot.py")

    def save() -> None:
        next(b for b in at.button if b.label == "Enregistrer et continuer").click()
        run(at)

    at.text_input[0].input("Éclairage des parcs")
    at.text_area[1].input("La gradation réduit la consommation de 20 % la nuit.")
    save()
    assert not at.error
    at.multiselect[0].set_value(["Z-T1"])
    at.multiselect[1].set_value(["Z-C1"])
    save()
    save()  # the periods as proposed
    save()  # one indicator, measured by upload, as proposed
    assert not [e.value for e in at.error], [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Brouillon enregistré."]
    save()  # the datasets as they are: the last step, before submission
    # its indicator is measured by upload and nothing is uploaded yet: said so, in French
    assert "Effet minimal détectable" in [s.value for s in at.subheader]
    assert [w.value.split(" (")[0] for w in at.warning] == [
        "L'indicateur principal n'a pas encore de données sur la période de référence"]
    stored = session.exec(select(Pilot).where(Pilot.title == "Éclairage des parcs")).one()
    assert stored.status == "draft"
    assert stored.protocol["treated_zones"] == ["Z-T1"]
    assert [k["name"] for k in stored.protocol["kpis"]] == ["indicateur_1"]


def test_a_city_member_publishes_a_consent_text_and_sees_the_mediators(
        live_api: str, session: Session, client: TestClient) -> None:
    territory = make_territory(session)
    headers = login(client, territory.startup)
    pilot = client.post("/api/v1/pilots", headers=headers, json=draft_body(territory)).json()
    assert client.post(f"/api/v1/pilots/{pilot['id']}/submit", headers=headers).is_success
    desk = make_user(session, Role.mediator, authority=territory.commune,
                     email="desk@commune.example")

    at = sign_in(AppTest.from_file(APP, default_timeout=30), territory.commune_city.email)
    visit(at, "city/consent.py")
    assert [w.value for w in at.warning][:1] == [
        "Pas encore de texte : personne ne peut rejoindre cette expérimentation tant qu'il "
        "n'est pas publié."]
    at.text_area[0].input("Trop court")  # the API wants 20 characters: nothing is published
    at.text_area[1].input("You agree to answer a short questionnaire each week.")
    next(b for b in at.button if b.label == "Publier").click()
    run(at)
    assert [e.value.splitlines()[0] for e in at.error] == ["Certaines valeurs sont à corriger."]
    assert client.get(f"/api/v1/pilots/{pilot['id']}/consent",
                      headers=headers).status_code == 404

    at.text_area[0].input("Vous acceptez de répondre chaque semaine à un court questionnaire.")
    at.text_area[2].input("Accueil de la mairie, du lundi au vendredi, 9 h–17 h.")
    next(b for b in at.button if b.label == "Publier").click()
    run(at)
    assert [s.value for s in at.success][:1] == ["Version 1 publiée."]
    assert "Version 1 publiée — c'est celle que lisent les nouvelles personnes." in [
        s.value for s in at.success]
    stored = client.get(f"/api/v1/pilots/{pilot['id']}/consent", headers=headers).json()
    assert stored["version"] == 1 and stored["instructions_fr"].startswith("Accueil")
    assert desk.email in at.dataframe[0].value.iloc[:, 0].tolist()


def test_the_admin_moves_a_startup_user_to_a_city_team(live_api: str, session: Session) -> None:
    admin = make_user(session, Role.admin)
    territory = make_territory(session)
    moved = make_user(session, Role.startup, email="moves@terrain.example")
    at = sign_in(AppTest.from_file(APP, default_timeout=30), admin.email)
    visit(at, "admin/users.py")
    at.selectbox(key=f"role-{moved.id}").set_value("city")
    run(at)
    at.selectbox(key=f"role-{moved.id}-authority").set_value(str(territory.commune.id))
    at.button(key=f"role-{moved.id}-save").click()
    run(at)
    assert [s.value for s in at.success] == ["Compte moves@terrain.example mis à jour."]
    session.expire_all()
    stored = session.get(User, moved.id)
    assert stored is not None and stored.role == "city"
    assert stored.authority_id == territory.commune.id and stored.organization_id is None
