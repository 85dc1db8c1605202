"""An extract whose worker was killed is rebuilt over what the killed attempt left, and one
given up leaves no object and says why on the grant."""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy import update
from sqlmodel import Session, col

from lab.jobs import reaper
from lab.objectstore import bucket_prefix
from lab.sandbox import platform
from lab.sandbox.models import ExtractStatus, Grant
from lab.settings import get_settings
from storage import bucket_name, get_bytes, put_bytes
from tests.lab.jobs.lost import job, killed
from tests.lab.sandbox.world import World


def _grant(world: World, grant_id: str) -> Grant:
    found = world.fresh().get(Grant, uuid.UUID(grant_id))
    assert found is not None
    return found


def _building(world: World, grant_id: str) -> None:
    with Session(world.session.get_bind()) as session:
        session.execute(update(Grant).where(col(Grant.id) == uuid.UUID(grant_id))
                        .values(extract_status=ExtractStatus.building))
        session.commit()


def _objects(world: World, grant_id: str) -> list[str]:
    return sorted(o.object_name or "" for o in world.storage.list_objects(
        bucket_name("sandbox", bucket_prefix()), prefix=f"{grant_id}/", recursive=True))


def test_killed_extract_is_rebuilt_over_its_leftovers(world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    assert grant["extract_status"] == "ready"
    sandbox = bucket_name("sandbox", bucket_prefix())
    data_key = platform.extract_key(uuid.UUID(grant["id"]), world.territory.dataset_id)
    # Killed between the two PUTs: the extract half there, no manifest.
    _building(world, grant["id"])
    put_bytes(world.storage, sandbox, data_key, b"PAR1 partial")
    world.storage.remove_object(sandbox, platform.manifest_key(uuid.UUID(grant["id"])))
    engine = world.session.get_bind()
    killed(engine, grant["job_id"], attempts=1)  # type: ignore[arg-type]

    assert [str(j) for j in reaper.reap().requeued] == [grant["job_id"]]

    assert job(engine, grant["job_id"]).attempts == 2  # type: ignore[arg-type]
    rebuilt = _grant(world, grant["id"])
    assert rebuilt.extract_status == ExtractStatus.ready
    assert _objects(world, grant["id"]) == sorted(
        [data_key, platform.manifest_key(uuid.UUID(grant["id"]))])
    data = get_bytes(world.storage, sandbox, data_key)
    assert hashlib.sha256(data).hexdigest() == rebuilt.extract_sha256
    assert rebuilt.extract_rows == grant["extract_rows"]
    manifest = json.loads(get_bytes(world.storage, sandbox,
                                    platform.manifest_key(uuid.UUID(grant["id"]))))
    assert manifest["extract"]["sha256"] == rebuilt.extract_sha256


def test_extract_given_up_leaves_nothing_and_says_why(world: World) -> None:
    pid = world.approved_pilot()
    grant = world.grant_for(pid, world.territory.dataset_id)
    _building(world, grant["id"])
    engine = world.session.get_bind()
    killed(engine, grant["job_id"], attempts=get_settings().job_max_attempts)  # type: ignore[arg-type]

    assert [str(j) for j in reaper.reap().failed] == [grant["job_id"]]

    failed = _grant(world, grant["id"])
    assert failed.extract_status == ExtractStatus.failed
    assert (failed.extract_error or "").startswith("WorkerLost:")
    assert _objects(world, grant["id"]) == []
