"""The citizens' side in a real headless Chromium on the demo territory (`lab up`): a visitor
walks the map, a pilot and the open data (FR, EN, 390 px); a new citizen signs up, joins the
running pilot and answers; a mediator registers a person, enrolls them and records answers
with the keyboard; axe-core finds no serious or critical violation on those pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.platform import Platform
from tests.ui.test_browser import SHOTS, accounts, settled, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.s3]

RUNNING = "Éclairage adaptatif à Villeurbanne"
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
AXE = SHOTS.parent / "axe-citizens.json"


FOUND: dict[str, list[str]] = {}


def shot(page: Page, name: str, *, axe: bool = False) -> None:
    """A full-page screenshot, and axe-core's serious and critical violations if asked."""
    settled(page)
    assert "Traceback" not in page.get_by_test_id("stMain").inner_text(), name
    if page.get_by_test_id("stDeckGlJsonChart").count():
        expect(page.locator("canvas").first).to_be_visible(timeout=20_000)
    if axe:
        violations = Axe().run(page).response["violations"]
        FOUND[name] = [f"{v['id']} ({v['impact']}): {v['help']} — "
                       + "; ".join(str(n["target"]) for n in v["nodes"][:3])
                       for v in violations if v.get("impact") in ("serious", "critical")]
        AXE.write_text(json.dumps(FOUND, indent=2, ensure_ascii=False))
    # Streamlit scrolls inside its main block: a viewport as tall as the page shows it all
    size = page.viewport_size or {"width": 1280, "height": 900}
    tall = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(tall))})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"citizens-{name}.png"), full_page=True)
    page.set_viewport_size(size)


def answer(page: Page, agreement: str, score: str) -> None:
    """Every visible agreement scale answered, and the recommendation score."""
    settled(page)  # a click on a form still being drawn is lost when Streamlit redraws it
    options = page.get_by_role("radio", name=agreement, exact=True).all()
    assert options, f"no option {agreement!r}"
    for option in [*options, page.get_by_role("radio", name=score, exact=True)]:
        option.locator("xpath=ancestor::label").click()  # the input itself is drawn over
        expect(option).to_be_checked()


def open_running_pilot(page: Page) -> None:
    page.get_by_role("button", name=f"Voir « {RUNNING} »").click()
    expect(page.get_by_role("heading", name=RUNNING)).to_be_visible(timeout=20_000)


def test_visitor_walks_the_map_a_pilot_and_the_open_data(platform: Platform,
                                                         browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{platform.ui}/running")
    expect(page.get_by_text(RUNNING).first).to_be_visible(timeout=30_000)
    shot(page, "map-fr", axe=True)
    open_running_pilot(page)
    expect(page.get_by_role("button", name="Participer", exact=True)).to_be_visible()
    shot(page, "pilot-fr", axe=True)
    page.goto(f"{platform.ui}/open-data")
    expect(page.get_by_role("heading", name="Résultats et données ouvertes")).to_be_visible(
        timeout=20_000)
    expect(page.get_by_text("Guidage vers les places libres").first).to_be_visible()
    shot(page, "open-data-fr", axe=True)
    page.get_by_text("English").click()
    expect(page.get_by_role("heading", name="Results and open data")).to_be_visible(
        timeout=20_000)
    shot(page, "open-data-en")
    page.goto(f"{platform.ui}/running")  # a new session: French again
    page.get_by_text("English").click()
    expect(page.get_by_role("heading", name="Pilots running near you")).to_be_visible(
        timeout=20_000)
    shot(page, "map-en")
    page.close()

    narrow = browser.new_page(viewport={"width": 390, "height": 844})
    narrow.goto(f"{platform.ui}/running")
    expect(narrow.get_by_text(RUNNING).first).to_be_visible(timeout=30_000)
    shot(narrow, "map-390")
    open_running_pilot(narrow)
    shot(narrow, "pilot-390")
    narrow.close()


def test_a_visitor_downloads_open_data_reads_the_directory_and_follows_a_report(
        platform: Platform, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{platform.ui}/open-data")
    expect(page.get_by_role("heading", name="Résultats et données ouvertes")).to_be_visible(
        timeout=30_000)
    page.get_by_role("tab", name="Données ouvertes").click()
    expect(page.get_by_text("Comptages routiers")).to_be_visible(timeout=20_000)
    shot(page, "open-datasets-fr", axe=True)
    csv = page.get_by_role("link", name="CSV").first
    with page.expect_download(timeout=60_000) as download:
        csv.click()
    rows = Path(download.value.path()).read_text().splitlines()
    assert '"zone"' in rows[0].split(",") and len(rows) > 1000, rows[:2]

    page.get_by_role("tab", name="Annuaire des participants").click()
    expect(page.get_by_text("LumiAdapt").first).to_be_visible(timeout=20_000)
    shot(page, "directory-fr", axe=True)

    # a problem with a streetlight of the running pilot, followed by its receipt code
    page.goto(f"{platform.ui}/running")
    expect(page.get_by_text(RUNNING).first).to_be_visible(timeout=30_000)
    open_running_pilot(page)
    page.get_by_label("Description (sans données personnelles)").fill(
        "Le lampadaire clignote toute la nuit.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    receipt = page.get_by_text("Gardez ce code pour le suivre")
    expect(receipt).to_be_visible(timeout=20_000)
    found = re.search(r"suivre : (\S+)", receipt.inner_text())
    assert found, receipt.inner_text()
    page.get_by_label("Code de suivi").fill(found.group(1))
    page.get_by_role("button", name="Suivre", exact=True).click()
    expect(page.get_by_text("reçu, traité par Commune de Villeurbanne")).to_be_visible(
        timeout=20_000)
    shot(page, "report-followed-fr", axe=True)
    page.close()


def test_a_new_citizen_signs_up_joins_and_answers(platform: Platform,
                                                  browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE)
    page = context.new_page()
    page.goto(f"{platform.ui}/running")
    expect(page.get_by_text(RUNNING).first).to_be_visible(timeout=30_000)
    open_running_pilot(page)
    page.get_by_role("button", name="Participer", exact=True).click()
    page.get_by_role("tab", name="Créer un compte de testeur·se").click()
    shot(page, "sign-up-390", axe=True)
    page.get_by_label("Adresse e-mail").nth(1).fill("nouvelle@testeurs.example")
    page.get_by_label("Mot de passe (au moins 10 caractères)").fill("un mot de passe long")
    page.get_by_role("button", name="Créer un compte de testeur·se").click()
    expect(page.get_by_role("heading", name=f"Rejoindre « {RUNNING} »")).to_be_visible(
        timeout=30_000)
    shot(page, "consent-390", axe=True)
    page.get_by_text("J'ai lu ce texte et j'accepte de participer").click()
    page.get_by_role("button", name="Rejoindre").click()
    expect(page.get_by_text(f"Vous participez à « {RUNNING} ».")).to_be_visible(timeout=20_000)
    # a phone: one question per screen, then the optional ones and Send
    for choice in ("4 — D'accord", "4 — D'accord", "9"):
        settled(page)
        option = page.get_by_role("radio", name=choice, exact=True)
        expect(option).to_have_count(1)
        option.locator("xpath=ancestor::label").click()
        expect(option).to_be_checked()
        if choice == "9":
            shot(page, "feedback-step-390", axe=True)
        page.get_by_role("button", name="Suivant", exact=True).click()
    settled(page)
    shot(page, "feedback-390", axe=True)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_text("Merci ! Votre avis est enregistré")).to_be_visible(timeout=20_000)
    shot(page, "receipt-390")
    page.goto(f"{platform.ui}/my-data")
    expect(page.get_by_text("1 participation(s), 1 réponse(s)")).to_be_visible(timeout=20_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger mes données (JSON)").click()
    held = json.loads(Path(download.value.path()).read_text())
    assert held["profile"]["email"] == "nouvelle@testeurs.example"
    assert len(held["feedback"]) == 1
    shot(page, "my-data-390", axe=True)
    context.close()


FOCUSED = """() => { const e = document.activeElement; if (!e) return {};
  const label = e.closest('label'), group = e.closest('[role=radiogroup]');
  return {tag: e.tagName, type: e.type || '', checked: !!e.checked,
          option: label ? label.innerText.trim() : '',
          group: group ? group.getAttribute('aria-label') : '',
          text: (e.innerText || '').trim()}; }"""


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], limit: int = 80
           ) -> dict[str, Any]:
    """Press Tab until the focused element is the wanted one; what is focused then."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused: dict[str, Any] = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"{limit} presses of Tab never reached it")


def test_a_citizen_answers_with_the_keyboard_alone(platform: Platform, browser: Browser) -> None:
    email, password = accounts(platform)["citizen"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, platform, email, password)
    expect(page.get_by_role("heading", name="Mes expérimentations")).to_be_visible(
        timeout=30_000)
    settled(page)
    page.get_by_role("heading", name="Mon espace").click()  # start from the page's top
    # Tab to each question, Space takes its first option, the arrows move the choice on
    for question, moves, expected in ((1, 3, "4 — D'accord"), (2, 1, "2 — Pas d'accord"),
                                      (3, 8, "8")):
        tab_to(page, lambda f, q=question: f["type"] == "radio"
               and f["group"].startswith(f"Question {q} sur"))
        page.keyboard.press("Space")
        for _ in range(moves):
            page.keyboard.press("ArrowDown")
        focused = page.evaluate(FOCUSED)
        assert focused["checked"] and focused["option"] == expected, focused
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Envoyer mes réponses")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Merci ! Votre avis est enregistré")).to_be_visible(timeout=20_000)
    shot(page, "keyboard-receipt")
    page.close()


def test_a_mediator_registers_enrolls_records_and_exports(platform: Platform,
                                                      browser: Browser) -> None:
    email, password = accounts(platform)["mediator"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, platform, email, password)
    expect(page.get_by_role("heading", name="Guichet")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_text("Code à noter sur papier")).to_be_visible(timeout=20_000)
    page.get_by_text("La personne a entendu le texte et accepte").click()
    page.get_by_role("button", name="Inscrire à l'expérimentation").click()
    expect(page.get_by_text("Inscription enregistrée.")).to_be_visible(timeout=20_000)
    shot(page, "desk-form", axe=True)
    answer(page, "2 — Pas d'accord", "6")
    page.get_by_role("button", name="Enregistrer les réponses").focus()
    page.keyboard.press("Enter")  # the form is sent from the keyboard
    expect(page.get_by_text("Réponses enregistrées")).to_be_visible(timeout=20_000)
    page.get_by_text("Droits de la personne").click()
    page.get_by_role("button", name="Préparer l'export de ses données").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l'export (JSON)").click()
    held = json.loads(Path(download.value.path()).read_text())
    assert len(held["feedback"]) == 1 and held["feedback"][0]["channel"] == "phone"
    shot(page, "desk-after")
    page.close()
    assert {k: v for k, v in FOUND.items() if v} == {}
