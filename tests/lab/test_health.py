"""Health reports the database and the object store, 503 when either is down."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from lab.app import create_app
from lab.db import make_engine
from lab.settings import LabSettings
from storage import make_client


@pytest.mark.s3
def test_health_is_ok_with_database_and_object_store(settings: LabSettings, engine: Engine,
                                                     s3_client) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(settings, engine=engine, storage=s3_client)) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "object_store": "ok"}


def test_health_is_503_when_the_object_store_is_down(settings: LabSettings,
                                                     engine: Engine) -> None:
    dead = make_client(endpoint="127.0.0.1:9", access_key="a" * 20, secret_key="b" * 40,
                       region="us-east-1", secure=False)
    with TestClient(create_app(settings, engine=engine, storage=dead)) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["checks"]["object_store"] == "down"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.s3
def test_health_is_503_when_the_database_is_down(settings: LabSettings, engine: Engine,
                                                 s3_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings, engine=engine, storage=s3_client)
    with TestClient(app) as client:
        app.state.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "down", "object_store": "ok"}
