"""The real API served over HTTP in this process, for AppTest runs of the Streamlit pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tests.lab.conftest import s3_app  # noqa: F401  (the real object store behind the API)
from tests.platform import free_port, poll
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
