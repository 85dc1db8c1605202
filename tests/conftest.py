"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when LAB_TEST_DATABASE_URL is
set), a rolled-back session per test, the app wired to it, and the real S3 server."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from lab.app import create_app
from lab.db import SQLITE_BEGIN, make_engine, upgrade
from lab.deps import READ_METHODS, get_session
from lab.jobs import runtime
from lab.jobs.queue import huey
from lab.settings import LabSettings
from tests.fixtures_s3 import s3_buckets, s3_client, s3_server  # noqa: F401

PG_URL = os.environ.get("LAB_TEST_DATABASE_URL")
DB_FIXTURES = {"engine", "session", "live_engine", "database_url"}

# Jobs run inline in tests: the queue is exercised for real by the `lab up` smoke test.
huey.immediate = True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that touch the database are marked `db` (CI runs them again on PostgreSQL)."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _create_pg_database(base_url: str) -> str:
    name = f"terrain_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A factory of empty databases of the kind under test, dropped at the end."""
    created: list[str] = []

    def _new() -> str:
        if PG_URL:
            url = _create_pg_database(PG_URL)
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'lab.db'}"
        created.append(url)
        return url

    yield _new
    if PG_URL:
        for url in created:
            _drop_pg_database(PG_URL, url)


@pytest.fixture(scope="session")
def database_url(fresh_database_url) -> str:  # type: ignore[no-untyped-def]
    """One migrated database shared by the session (tests roll back their changes)."""
    url: str = fresh_database_url()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url, strict_sqlite_writes=True)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit is rolled back at the end of the test."""
    # Inside the test's outer transaction each request marks the connection with the mode its
    # own session would have (lab.deps.get_session), so a write in a read is caught.
    connection = engine.connect()
    transaction = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s
    transaction.rollback()
    connection.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> LabSettings:
    return LabSettings(home=tmp_path / "home", env="test", secret_key="t" * 48,
                       database_url=database_url)


@pytest.fixture
def app(settings: LabSettings, engine: Engine, session: Session):  # type: ignore[no-untyped-def]
    application = create_app(settings, engine=engine)

    def _session(request: Request) -> Iterator[Session]:
        # As the request's own session would: reads in a read transaction (where a write
        # raises on SQLite, see lab.db), the rest in a write transaction.
        connection = session.get_bind()
        mode = "DEFERRED" if request.method in READ_METHODS else "IMMEDIATE"
        connection.execution_options(**{SQLITE_BEGIN: mode})
        try:
            yield session
        except Exception:
            session.rollback()  # back to the last commit, as a request's own session would
            raise
        finally:
            connection.execution_options(**{SQLITE_BEGIN: None})

    application.dependency_overrides[get_session] = _session
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def _live_template(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    if PG_URL:
        return None
    template = tmp_path_factory.mktemp("template") / "lab.db"
    shutil.copy(make_url(database_url).database or "", template)
    return template


@pytest.fixture
def live_engine(_live_template: Path | None, engine: Engine,
                tmp_path: Path) -> Iterator[Engine]:
    """An engine whose commits are real (for jobs and other processes); emptied afterwards."""
    if _live_template is not None:
        path = tmp_path / "live.db"
        shutil.copy(_live_template, path)
        eng = make_engine(f"sqlite:///{path}", strict_sqlite_writes=True)
        runtime.set_engine(eng)
        yield eng
        runtime.set_engine(None)
        eng.dispose()
        return
    runtime.set_engine(engine)
    yield engine
    runtime.set_engine(None)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
