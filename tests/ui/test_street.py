"""The quick feedback page in a real headless Chromium with JavaScript disabled: it loads,
submits, stores one row with the channel `street`, refuses the same form sent again, and
passes axe-core with no serious or critical violation; the city's poster prints on one A4
page."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Route, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lab.app import create_app
from lab.feedback.models import Channel
from lab.settings import LabSettings
from tests.factories import PASSWORD
from tests.lab.street.scenario import quick_pilot, street_rows
from tests.platform import free_port, poll

pytestmark = [pytest.mark.slow]



@contextmanager
def serve(settings: LabSettings, engine: Engine) -> Iterator[str]:
    """The API in this process, on a free port, for as long as the block runs."""
    port = free_port()
    app = create_app(settings, engine=engine, check_migrations=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert poll(lambda: server.started, timeout=20), "the API did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_quick_page_without_javascript(tmp_path: Path, live_engine: Engine,
                                       browser: Browser) -> None:
    with Session(live_engine) as session:
        t, pilot_id, code = quick_pilot(session)
        city_email = t.commune_city.email
    settings = LabSettings(home=tmp_path / "home", env="test", secret_key="s" * 48)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with serve(settings, live_engine) as base:
        url = f"{base}/q/{code}"
        # axe needs scripts: a second context reads the same page with JavaScript on
        checker = browser.new_context(locale="fr-FR").new_page()
        for lang in ("fr", "en"):
            checker.goto(f"{url}?lang={lang}")
            assert _serious(checker) == [], lang
        # axe does see problems where they are (an unlabelled input, no lang)
        checker.set_content("<html><body><input type=text></body></html>")
        assert any(v.startswith("label:") for v in _serious(checker))

        context = browser.new_context(java_script_enabled=False, locale="fr-FR")
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_role("heading", name="Éclairage adaptatif")).to_be_visible()
        assert page.locator("script").count() == 0
        form_html = page.content()
        page.screenshot(path=str(shots / "quick-form.png"), full_page=True)
        page.get_by_role("radio", name="4 — D'accord").check()
        page.get_by_label("Un commentaire ?").fill("Bien, écrivez-moi à a.b@mail.example")
        page.get_by_role("button", name="Envoyer mon avis").click()
        expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
        page.screenshot(path=str(shots / "quick-thanks.png"), full_page=True)
        thanks_html = page.content()

        with Session(live_engine) as session:
            rows = street_rows(session, pilot_id)
        assert len(rows) == 1 and rows[0].channel == Channel.street
        assert rows[0].likert == {"useful": 4}
        assert rows[0].free_text == {"remarks": "Bien, écrivez-moi à [email]"}

        # the same form, with the same token, sent again from the browser
        def _saved_form(route: Route) -> None:
            if route.request.method == "GET":
                route.fulfill(status=200, content_type="text/html", body=form_html)
            else:
                route.continue_()

        page.route(url, _saved_form)
        page.goto(url)
        page.get_by_role("radio", name="2 — Pas d'accord").check()
        page.get_by_role("button", name="Envoyer mon avis").click()
        expect(page.get_by_role("heading", name="Réponse non acceptée")).to_be_visible()
        expect(page.get_by_text("déjà été envoyé")).to_be_visible()
        page.screenshot(path=str(shots / "quick-replay-refused.png"), full_page=True)
        refused_html = page.content()
        with Session(live_engine) as session:
            assert len(street_rows(session, pilot_id)) == 1

        for html in (thanks_html, refused_html):
            checker.set_content(html)
            assert _serious(checker) == []

        # the city's poster prints on one A4 page
        token = httpx.post(f"{base}/api/v1/auth/token", data={
            "username": city_email, "password": PASSWORD}).json()["access_token"]
        poster = httpx.get(f"{base}/api/v1/pilots/{pilot_id}/poster",
                           headers={"Authorization": f"Bearer {token}"})
        assert poster.status_code == 200
        checker.set_content(poster.text)
        checker.screenshot(path=str(shots / "poster.png"), full_page=True)
        pdf = checker.pdf(format="A4", print_background=True)
        (shots / "poster.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
        context.close()
        checker.context.close()
