"""The home page in a real headless Chromium: it shows the platform status, in FR and EN."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.platform import run_platform

pytestmark = [pytest.mark.slow, pytest.mark.s3]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def test_home_sign_in_and_pages_in_french_and_english(tmp_path: Path) -> None:
    with run_platform(tmp_path) as platform, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(platform.ui)
            expect(page.get_by_text("Tout fonctionne.")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Stockage d'objets")).to_be_visible()
            page.get_by_text("English").click()
            expect(page.get_by_text("Everything is working.")).to_be_visible(timeout=15_000)
            expect(page.get_by_text("Object store")).to_be_visible()
            page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

            email, password = (platform.home / "admin-password.txt").read_text().split()
            page.goto(f"{platform.ui}/Pilotes")
            page.get_by_label("Adresse e-mail").fill(email)  # a new session: French again
            page.get_by_label("Mot de passe").fill(password)
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_text(f"Connecté·e : {email} (admin)")).to_be_visible(
                timeout=15_000)
            # the demo territory: one running pilot, one awaiting decisions
            expect(page.get_by_text("Éclairage adaptatif à Villeurbanne — running")
                   ).to_be_visible(timeout=15_000)
            expect(page.get_by_text("Extension aux parcs — submitted")).to_be_visible()

            page.goto(f"{platform.ui}/Participer")
            expect(page.get_by_text("Éclairage adaptatif à Villeurbanne")).to_be_visible(
                timeout=15_000)
            expect(page.get_by_text("Extension aux parcs")).to_have_count(0)
        finally:
            browser.close()
