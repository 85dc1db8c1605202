"""Fixtures of the sandbox tests: the app on a live database and the real S3 server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from minio import Minio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lab.app import create_app
from lab.settings import LabSettings
from tests.lab.sandbox.world import World, make_world


@pytest.fixture
def world(settings: LabSettings, live_engine: Engine, s3_client: Minio,
          s3_buckets: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The app on a database whose commits are real (jobs see them) and per-test buckets."""
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    app = create_app(settings, engine=live_engine, storage=s3_client)
    with TestClient(app) as client, Session(live_engine, expire_on_commit=False) as session:
        yield make_world(client, session, s3_client)
