"""Expiry: the sweep (periodic job and `lab sweep`) ends grants past their end and deletes
every ended grant's extract, so earlier links and credentials read nothing."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from lab.audit.models import AuditLog
from lab.cli import app as cli
from lab.common import utcnow
from lab.jobs import periodic
from lab.objectstore import bucket_prefix
from lab.sandbox import service as sandbox
from lab.sandbox.models import Grant
from lab.settings import get_settings
from storage import EmbeddedS3, bucket_name
from tests.lab.sandbox.world import World

pytestmark = pytest.mark.s3


def _keys(world: World, grant_id: str) -> list[str]:
    return [o.object_name or "" for o in world.storage.list_objects(
        bucket_name("sandbox", bucket_prefix()), prefix=f"{grant_id}/", recursive=True)]


def _expire(world: World, grant_id: str) -> None:
    grant = world.fresh().get(Grant, uuid.UUID(grant_id))
    assert grant is not None
    grant.expires_at = utcnow() - timedelta(minutes=1)
    world.session.add(grant)
    world.session.commit()


def _leftover(world: World, grant_id: str) -> None:
    """A revoked grant whose extract could not be deleted at the time."""
    grant = world.fresh().get(Grant, uuid.UUID(grant_id))
    assert grant is not None
    grant.extract_deleted_at = None
    world.session.add(grant)
    world.session.commit()
    world.storage.put_object(bucket_name("sandbox", bucket_prefix()), f"{grant_id}/left.bin",
                             io.BytesIO(b"x"), 1)


def test_the_sweep_expires_grants_and_deletes_ended_extracts(world: World) -> None:
    pid = world.approved_pilot()
    expiring = world.grant_for(pid, world.territory.dataset_id)
    revoked = world.grant_for(pid, world.second_dataset)
    link = world.client.post(f"/api/v1/grants/{expiring['id']}/links",
                             headers=world.startup).json()["links"][0]["url"]
    world.client.post(f"/api/v1/grants/{revoked['id']}/revoke",
                      headers=world.auth(world.territory.commune_city), json={"reason": "fin"})
    _leftover(world, revoked["id"])
    _expire(world, expiring["id"])

    result = sandbox.sweep(session=world.session, storage=world.storage)
    assert (result.expired, result.extracts_deleted) == (1, 2)
    assert _keys(world, expiring["id"]) == [] and _keys(world, revoked["id"]) == []
    assert httpx.get(link).status_code in (403, 404)
    grant = world.client.get(f"/api/v1/grants/{expiring['id']}", headers=world.startup).json()
    assert grant["status"] == "expired" and grant["ended_at"]
    entry = world.fresh().exec(select(AuditLog).where(AuditLog.action == "grant.expire")).one()
    assert entry.object_id == expiring["id"] and entry.actor_id is None
    again = sandbox.sweep(session=world.session, storage=world.storage)
    assert (again.expired, again.extracts_deleted) == (0, 0)


def test_lab_sweep_runs_the_sweep_from_the_command_line(
        world: World, live_engine: Engine, s3_server: EmbeddedS3,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    _expire(world, grant["id"])
    monkeypatch.setenv("LAB_DATABASE_URL", live_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("STORAGE_ENDPOINT", s3_server.endpoint)
    monkeypatch.setenv("STORAGE_ACCESS_KEY", s3_server.access_key)
    monkeypatch.setenv("STORAGE_SECRET_KEY", s3_server.secret_key)
    get_settings.cache_clear()
    try:
        outcome = CliRunner().invoke(cli, ["sweep"])
    finally:
        get_settings.cache_clear()
    assert outcome.exit_code == 0, outcome.output
    assert "1 grants expired, 1 extracts deleted" in outcome.output
    assert _keys(world, grant["id"]) == []


def test_the_worker_sweeps_on_its_schedule(world: World) -> None:
    due = periodic.every(5)
    assert due(datetime(2026, 3, 1, 10, 5)) and not due(datetime(2026, 3, 1, 10, 7))
    assert periodic.every(60)(datetime(2026, 3, 1, 0, 0))
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    _expire(world, grant["id"])
    periodic.sandbox_sweep.call_local()
    stored = world.fresh().get(Grant, uuid.UUID(grant["id"]))
    assert stored is not None and stored.status == "expired"
    assert stored.extract_deleted_at is not None and _keys(world, grant["id"]) == []
