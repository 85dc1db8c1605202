"""The workspace in a real headless Chromium on the demo territory (`lab up`): each role signs
in, walks its pages, does one real thing; reloads stay signed in; screenshots of every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.platform import Platform, poll

pytestmark = [pytest.mark.slow, pytest.mark.s3]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
# English words of statuses and Streamlit's failures that must not reach a French page
RAW = re.compile(r"Traceback|StreamlitAPIException|\b(running|submitted|draft|approved|"
                 r"changes_requested|pending|active|revoked)\b")


def accounts(platform: Platform) -> dict[str, tuple[str, str]]:
    """role → (email, password) of the first demo account of each role, and the admin."""
    found: dict[str, tuple[str, str]] = {}
    for line in (platform.home / "demo-accounts.txt").read_text().splitlines():
        email, role, password = line.split("\t")
        found.setdefault(role, (email, password))
    admin_email, admin_password = (platform.home / "admin-password.txt").read_text().split()
    found["admin"] = (admin_email, admin_password)
    return found


def settled(page: Page) -> None:
    """Wait for Streamlit to finish running the page's script."""
    expect(page.get_by_test_id("stApp")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMain").get_by_role("heading").first).to_be_visible(
        timeout=30_000)
    idle = page.get_by_test_id("stStatusWidget")
    quiet: list[bool] = []

    def still() -> bool:  # no script running at three polls in a row
        quiet.append(idle.count() == 0)
        return len(quiet) >= 3 and all(quiet[-3:])
    assert poll(still, 60, interval=0.4), "the page kept running"


def check_page(page: Page, name: str) -> None:
    """No traceback and no raw English status on a French page; a screenshot of it."""
    settled(page)
    text = page.get_by_test_id("stMain").inner_text()
    assert not RAW.search(text), (name, RAW.search(text))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, platform: Platform, email: str, password: str) -> None:
    page.goto(f"{platform.ui}/sign-in")
    # the sign-in tab comes first; the sign-up tab has its own e-mail and password fields
    page.get_by_label("Adresse e-mail").first.fill(email)
    page.get_by_label("Mot de passe").first.fill(password)
    page.get_by_role("button", name="Se connecter").first.click()
    expect(page.get_by_text(f"Connecté·e : {email}")).to_be_visible(timeout=40_000)
    assert poll(lambda: any(c["name"] == "terrain_session" for c in page.context.cookies()),
                15), "no session cookie"


def walk(page: Page, platform: Platform, role: str, paths: list[str]) -> None:
    """Open each page of a role, check it and keep its screenshot."""
    for path in paths:
        page.goto(f"{platform.ui}/{path}")
        check_page(page, f"{role}-{path}")


def account_of(platform: Platform, email: str) -> tuple[str, str]:
    for line in (platform.home / "demo-accounts.txt").read_text().splitlines():
        found, _role, password = line.split("\t")
        if found == email:
            return found, password
    raise AssertionError(f"no demo account {email}")


def pick(page: Page, label: str, option: str) -> None:
    """Choose an option of a Streamlit multiselect or selectbox by typing it."""
    settled(page)
    box = page.get_by_role("combobox", name=label)
    box.click(force=True)
    box.fill(option)
    box.press("Enter")
    box.press("Escape")


def test_home_in_french_and_english(platform: Platform, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(platform.ui)
    expect(page.get_by_text("Tout fonctionne.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Stockage d'objets")).to_be_visible()
    check_page(page, "home-fr")
    page.get_by_text("English").click()
    expect(page.get_by_text("Everything is working.")).to_be_visible(timeout=40_000)
    expect(page.get_by_text("Object store")).to_be_visible()
    page.screenshot(path=str(SHOTS / "home-en.png"), full_page=True)
    page.close()


def test_city_user_stays_signed_in_across_reload_and_tabs_until_sign_out(
        platform: Platform, browser: Browser) -> None:
    email, password = accounts(platform)["city"]
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, platform, email, password)
    expect(page.get_by_role("heading", name="À décider")).to_be_visible(timeout=40_000)
    cookie = poll(lambda: next((c for c in context.cookies()
                                if c["name"] == "terrain_session"), None), 15)
    assert cookie is not None, "no session cookie"
    assert cookie["sameSite"] == "Strict" and password not in cookie["value"]
    assert all(password not in c["value"] for c in context.cookies())

    page.reload()
    expect(page.get_by_text(f"Connecté·e : {email}")).to_be_visible(timeout=40_000)
    other = context.new_page()
    other.goto(f"{platform.ui}/review")
    expect(other.get_by_role("heading", name="À décider")).to_be_visible(timeout=40_000)

    other.get_by_role("button", name="Se déconnecter").click()
    expect(other.get_by_role("link", name="Se connecter")).to_be_visible(timeout=40_000)
    page.reload()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible(timeout=40_000)
    expect(page.get_by_text(f"Connecté·e : {email}")).to_have_count(0)
    log = (platform.home / "logs" / "ui.log")
    if log.exists():
        assert cookie["value"] not in log.read_text()
    context.close()


def test_startup_walks_its_pages_and_saves_a_draft_pilot(platform: Platform,
                                                         browser: Browser) -> None:
    email, password = account_of(platform, "team@lumiadapt.example")
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    sign_in(page, platform, email, password)
    walk(page, platform, "startup", ["prototypes", "pilots", "data-access", "measurements",
                                     "evaluation", "new-pilot"])
    page.get_by_role("textbox", name="Titre du pilote").fill(
        "Détecteurs de présence rue Anatole-France")
    page.get_by_role("textbox", name="Hypothèse").fill(
        "La détection de présence réduit la consommation de 20 %.")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_label("Zones testées", exact=True)).to_be_visible(timeout=40_000)
    pick(page, "Zones testées", "VLB-01")
    pick(page, "Zones témoins", "VLB-02")
    check_page(page, "startup-new-pilot-territory")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Période de référence (avant)")).to_be_visible(timeout=40_000)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("radio", name="4. Indicateurs")).to_be_checked(timeout=40_000)
    settled(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    try:
        expect(page.get_by_text("Brouillon enregistré.")).to_be_visible(timeout=45_000)
    finally:
        page.screenshot(path=str(SHOTS / "startup-new-pilot-step4.png"), full_page=True)
    check_page(page, "startup-new-pilot-saved")
    page.reload()  # still signed in, and the draft is in the list
    page.goto(f"{platform.ui}/pilots")
    expect(page.get_by_text("Détecteurs de présence rue Anatole-France — brouillon")
           ).to_be_visible(timeout=40_000)
    page.close()


def test_city_decides_and_revokes_a_grant(platform: Platform, browser: Browser) -> None:
    # The commune: "Extension aux parcs" awaits its decision, and its energy dataset is
    # granted to the running lighting pilot (demo territory).
    email, password = account_of(platform, "city@villeurbanne.example")
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    sign_in(page, platform, email, password)
    walk(page, platform, "city", ["pilots", "catalog", "evaluation", "access-log", "consent",
                                  "review"])
    page.get_by_label("Commentaire").first.fill("Favorable pour la commune")
    page.get_by_role("button", name="Décider").first.click()
    expect(page.get_by_text("Décision enregistrée.")).to_be_visible(timeout=40_000)
    check_page(page, "city-review-decided")

    page.goto(f"{platform.ui}/access-log")
    settled(page)
    page.get_by_test_id("stExpander").first.click()
    page.get_by_label("Motif").first.fill("Fin de la convention")
    page.get_by_text("Je confirme").first.click()
    page.get_by_role("button", name="Révoquer l'accès").first.click()
    expect(page.get_by_text("Accès révoqué.")).to_be_visible(timeout=40_000)
    check_page(page, "city-access-log-revoked")
    page.close()


def test_admin_pages_in_french_english_and_on_a_phone(platform: Platform,
                                                      browser: Browser) -> None:
    email, password = accounts(platform)["admin"]
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    sign_in(page, platform, email, password)
    walk(page, platform, "admin", ["users", "directory", "pilots"])
    page.get_by_text("English").click()
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible(timeout=40_000)
    page.screenshot(path=str(SHOTS / "admin-pilots-en.png"), full_page=True)
    page.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(phone, platform, email, password)
    phone.goto(f"{platform.ui}/users")
    settled(phone)
    phone.screenshot(path=str(SHOTS / "admin-users-390.png"), full_page=True)
    phone.close()
