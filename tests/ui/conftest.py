"""The real API served over HTTP in this process, for AppTest runs of the Streamlit pages;
and, for the browser tests, one demo platform (`lab up`) and one Chromium for the session."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright

from tests.lab.conftest import s3_app  # noqa: F401  (the real object store behind the API)
from tests.platform import Platform, free_port, poll, run_platform
from ui.session import STORE

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


@pytest.fixture
def live_api(app: FastAPI, s3_app: dict[str, str],  # noqa: F811
             monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The `app` fixture (real database rolled back, real S3) on a free port, at LAB_API_URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert poll(lambda: server.started, 20), "the API did not start"
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("LAB_API_URL", url)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    STORE.clear()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The demo territory served by `lab up`, shared by the browser tests (each acts on its
    own pilot, account or new sign-up, so their order does not matter)."""
    with run_platform(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
