"""The demo territory seeds once, through the services, into a usable state."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from lab import demo
from lab.datasets.models import DatasetVersion, VersionStatus
from lab.pilots.models import Pilot, PilotStatus
from lab.sandbox.models import Grant
from lab.zones.models import Zone

pytestmark = pytest.mark.s3


def test_demo_seeds_a_running_pilot_once(live_engine: Engine, s3_client, s3_buckets,  # type: ignore[no-untyped-def]
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", s3_buckets["datasets"].removesuffix("datasets"))
    accounts = demo.seed(engine=live_engine, client=s3_client, home=tmp_path)
    assert accounts is not None and (accounts.stat().st_mode & 0o777) == 0o600
    lines = accounts.read_text().splitlines()
    assert len(lines) == 5 and all(len(line.split("\t")) == 3 for line in lines)
    with Session(live_engine) as session:
        statuses = sorted(p.status for p in session.exec(select(Pilot)))
        assert statuses == [PilotStatus.running, PilotStatus.submitted]
        version = session.exec(select(DatasetVersion)).one()
        assert version.status == VersionStatus.ready
        assert sorted(version.zones or []) == sorted(demo.TREATED + demo.CONTROL)
        assert session.exec(select(func.count()).select_from(Zone)).one() == 12
        grant = session.exec(select(Grant)).one()  # the running pilot's, active and built
        assert (grant.status, grant.extract_status) == ("active", "ready")
        assert grant.extract_rows and grant.extract_rows > 0
    assert demo.seed(engine=live_engine, client=s3_client, home=tmp_path) is None
