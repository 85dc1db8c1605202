"""The citizens' pages in AppTest against the real API: the public map and pilot page, a
problem report and its receipt, joining a pilot and answering, my data, the mediator desk."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from lab.citizens import models as citizen_models
from lab.citizens.models import Enrollment
from lab.feedback.models import Feedback
from lab.reports.models import ProblemReport
from tests.factories import PASSWORD
from tests.lab.feedback.scenario import enrolled_citizen, make_citizen, make_setting
from tests.ui.conftest import APP

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in(email: str, first: str) -> AppTest:
    """Signed in, on the role's first page (AppTest does not keep a page the script switched
    to, so the test switches to it as the router did)."""
    at = run(AppTest.from_file(APP, default_timeout=30))
    at.switch_page("app_pages/public/sign_in.py")
    run(at)
    at.text_input[0].input(email)
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    run(at)
    at.switch_page(first)
    return run(at)


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_a_visitor_sees_the_map_opens_the_pilot_and_reports_a_problem(
        live_api: str, session: Session) -> None:
    s = make_setting(session)
    at = run(AppTest.from_file(APP, default_timeout=30))
    at.switch_page("app_pages/public/pilots.py")
    run(at)
    assert [e.value for e in at.title] == ["Expérimentations en cours près de chez vous"]
    title = next(m.value for m in at.markdown if m.value.startswith("**"))
    at.query_params["pilot"] = str(s.pilot_id)  # the "open" button sets it
    run(at)
    assert [e.value for e in at.title] == [title.strip("*")]
    assert any("Texte de consentement (version 1)" == e.label for e in at.expander)
    assert any(b.label == "Participer" for b in at.button)

    at.text_area[0].input("Le lampadaire clignote toute la nuit.")
    button(at, "Envoyer le signalement").click()
    run(at)
    stored = session.exec(select(ProblemReport)).one()
    assert stored.description == "Le lampadaire clignote toute la nuit."
    shown = next(e.value for e in at.success if "Signalement reçu" in e.value).split("**")[1]
    assert shown.replace("-", "") == stored.receipt
    at.text_input[0].input(shown)
    button(at, "Suivre").click()
    run(at)
    assert any("reçu" in e.value for e in at.info)


def test_an_empty_living_lab_says_what_comes_next(live_api: str) -> None:
    at = run(AppTest.from_file(APP, default_timeout=30))
    at.switch_page("app_pages/public/pilots.py")
    run(at)
    assert any("Les prochaines apparaîtront ici" in e.value for e in at.info)
    at.switch_page("app_pages/public/open_data.py")
    run(at)
    assert any("Aucun résultat publié" in e.value for e in at.info)
    assert any("Aucun jeu de données ouvert" in e.value for e in at.info)


def test_a_citizen_joins_with_consent_answers_and_downloads_then_erases_their_data(
        live_api: str, session: Session) -> None:
    s = make_setting(session)
    user = make_citizen(session)
    at = signed_in(user.email, "app_pages/citizen/home.py")
    assert [e.value for e in at.title] == ["Mon espace"]
    at.session_state["join_pilot"] = str(s.pilot_id)  # set by "Take part" on the pilot page
    run(at)
    button(at, "Rejoindre").click()
    run(at)  # not ticked: nothing happens
    assert session.exec(select(Enrollment)).all() == []
    at.checkbox[0].check()
    button(at, "Rejoindre").click()
    run(at)
    assert session.exec(select(Enrollment).where(Enrollment.tester_id == user.id)).one()
    assert any("Vous participez" in e.value for e in at.success)

    button(at, "Envoyer mes réponses").click()
    run(at)  # a required question unanswered: named, nothing sent
    assert any("Je me sens en sécurité." in e.value for e in at.error)
    likert = [r for r in at.radio if "Question" in r.label]
    assert [r.label.split(" — ")[0] for r in likert] == [
        "Question 1 sur 3", "Question 2 sur 3", "Question 3 sur 3"]
    likert[0].set_value(4)
    likert[1].set_value(5)
    likert[2].set_value(9)
    button(at, "Envoyer mes réponses").click()
    run(at)
    stored = session.exec(select(Feedback).where(Feedback.pilot_id == s.pilot_id)).one()
    assert stored.likert == {"comfort": 4, "light": 5} and stored.nps == 9
    assert any("Merci" in e.value for e in at.success)

    def enrollment() -> Enrollment:
        session.expire_all()
        return session.exec(select(Enrollment).where(Enrollment.tester_id == user.id)).one()

    button(at, "Retirer mon consentement").click()
    run(at)  # not confirmed: still taking part
    assert any("Cochez la case" in w.value for w in at.warning)
    assert enrollment().withdrawn_at is None
    at.checkbox(key=f"withdraw-sure-{s.pilot_id}").check()
    button(at, "Retirer mon consentement").click()
    run(at)
    assert any("Consentement retiré." in e.value for e in at.success)
    assert enrollment().withdrawn_at is not None

    at.switch_page("app_pages/citizen/my_data.py")
    run(at)
    assert any("1 participation(s), 1 réponse(s)" in m.value for m in at.markdown)
    assert at.get("download_button")
    button(at, "Effacer mes données et mon compte").click()
    run(at)  # not confirmed: nothing erased
    assert session.get(citizen_models.Tester, user.id) is not None
    at.checkbox[0].check()
    button(at, "Effacer mes données et mon compte").click()
    run(at)
    session.expire_all()
    assert session.get(citizen_models.Tester, user.id) is None
    assert any("Données effacées" in e.value for e in at.success)


def test_sign_up_creates_a_tester_and_signs_in(live_api: str, session: Session) -> None:
    at = run(AppTest.from_file(APP, default_timeout=30))
    at.switch_page("app_pages/public/sign_in.py")
    run(at)
    email = f"new-{uuid.uuid4().hex[:6]}@mail.example"
    at.text_input(key="new-email").input(email)
    at.text_input(key="new-password").input("short")
    button(at, "Créer un compte de testeur·se").click()
    run(at)
    assert at.error  # the password is too short: refused, no account
    assert session.exec(select(citizen_models.Tester)).all() == []
    at.text_input(key="new-email").input(email)
    at.text_input(key="new-password").input("a long enough password")
    button(at, "Créer un compte de testeur·se").click()
    run(at)
    assert [e.value for e in at.title] == ["Mon espace"]
    assert session.exec(select(citizen_models.Tester)).one().kind == citizen_models.TesterKind.web


def test_a_mediator_registers_enrolls_records_answers_and_exports(
        live_api: str, session: Session) -> None:
    s = make_setting(session)
    at = signed_in(s.mediator.email, "app_pages/mediator/desk.py")
    assert [e.value for e in at.title] == ["Guichet"]
    button(at, "Inscrire").click()
    run(at)
    code = next(e.value for e in at.success if "Code à noter" in e.value).split("**")[1]
    at.checkbox[0].check()
    button(at, "Inscrire à l'expérimentation").click()
    run(at)
    assert any("Inscription enregistrée." in e.value for e in at.success)
    likert = [r for r in at.radio if "Question" in r.label]
    likert[0].set_value(2)
    likert[1].set_value(3)
    likert[2].set_value(6)
    at.radio(key="channel").set_value("paper")
    filled_in = datetime.now(UTC).date() - timedelta(days=3)  # a paper form entered later
    at.date_input(key="collected-on").set_value(filled_in)
    button(at, "Enregistrer les réponses").click()
    run(at)
    stored = session.exec(select(Feedback).where(Feedback.pilot_id == s.pilot_id)).one()
    assert str(stored.channel) == "paper" and stored.likert == {"comfort": 2, "light": 3}
    assert stored.collected_on == filled_in
    assert stored.tester_id is not None
    assert any("Réponses enregistrées" in e.value for e in at.success)
    button(at, "Préparer l'export de ses données").click()
    run(at)
    assert at.get("download_button")
    assert code not in str(at.session_state["person-export"])  # the code is never stored
    button(at, "Personne suivante").click()
    run(at)
    assert any("Avis anonyme" in m.value for m in at.markdown)


def test_one_question_at_a_time_then_the_optional_ones_and_send(live_api: str,
                                                               session: Session) -> None:
    s = make_setting(session)
    user = enrolled_citizen(session, s)
    at = signed_in(user.email, "app_pages/citizen/home.py")
    at.toggle(key=f"stepper-{s.pilot_id}").set_value(True)
    run(at)
    asked = [r for r in at.radio if "Question" in r.label]
    assert [r.label.split(" — ")[0] for r in asked] == ["Question 1 sur 3"]  # one at a time
    button(at, "Suivant").click()
    run(at)  # unanswered: said, and still the first question
    assert any("Répondez" in e.value for e in at.error)
    for value in (4, 5, 9):
        [r for r in at.radio if "Question" in r.label][0].set_value(value)
        button(at, "Suivant").click()
        run(at)
    assert not [r for r in at.radio if "Question" in r.label]  # the last screen: optional ones
    button(at, "Précédent").click()
    run(at)  # back to the last question, its answer kept
    assert [r.value for r in at.radio if "Question" in r.label] == [9]
    button(at, "Suivant").click()
    run(at)
    button(at, "Envoyer mes réponses").click()
    run(at)
    stored = session.exec(select(Feedback).where(Feedback.pilot_id == s.pilot_id)).one()
    assert stored.likert == {"comfort": 4, "light": 5} and stored.nps == 9
    assert any("Merci" in e.value for e in at.success)
