"""Migrations up and down, the append-only audit log, and refusing an un-migrated database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from lab.app import create_app
from lab.audit import service as audit
from lab.db import DatabaseNotMigrated, current_revision, downgrade, head_revision, make_engine
from lab.db import upgrade as migrate
from lab.settings import LabSettings

TABLES = {"authority", "organization", "user", "api_key", "audit_log", "job", "login_throttle"}


def test_migrations_upgrade_downgrade_and_upgrade_again(fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url()
    engine = make_engine(url)
    try:
        migrate(url)
        assert current_revision(engine) == head_revision()
        assert TABLES <= set(inspect(engine).get_table_names())
        downgrade(url, "base")
        assert current_revision(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate(url)
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_audit_log_refuses_update_and_delete(session: Session) -> None:
    entry = audit.record(session=session, actor=None, action="test", object_type="thing",
                         object_id="1", reason="checking")
    session.commit()
    for statement in ("UPDATE audit_log SET reason = 'rewritten' WHERE id = :id",
                      "DELETE FROM audit_log WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement), {"id": entry.id})


def test_api_refuses_to_serve_an_unmigrated_database(fresh_database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = fresh_database_url()
    settings = LabSettings(home=tmp_path, env="test", secret_key="k" * 40, database_url=url)
    app = create_app(settings)
    with pytest.raises(DatabaseNotMigrated, match="lab migrate"), TestClient(app):
        pass
