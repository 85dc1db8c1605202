"""Version numbers stay 1, 2, … when two uploads to one dataset race."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from lab.auth.models import Role
from lab.datasets import convert, versions
from lab.datasets.models import DatasetVersion
from lab.datasets.upload import ReceivedFile
from tests.factories import make_authority, make_dataset, make_user


def test_a_concurrent_upload_taking_the_number_pushes_ours_to_the_next(
        live_engine: Engine, tmp_path: Path) -> None:
    with Session(live_engine, expire_on_commit=False) as session:
        authority = make_authority(session)
        dataset = make_dataset(session, authority)
        actor = make_user(session, Role.city, authority=authority)
    raced: list[int] = []

    def rival_commits_first(session: Session, _context: Any, _instances: Any) -> None:
        # Between our read of the highest number and our insert, another upload commits.
        for version in [v for v in session.new if isinstance(v, DatasetVersion)]:
            if not raced:
                raced.append(version.number)
                with Session(live_engine) as rival:
                    rival.add(DatasetVersion(dataset_id=dataset.id, number=version.number))
                    rival.commit()

    upload = ReceivedFile(path=tmp_path / "x.csv", filename="x.csv", size=10)
    with Session(live_engine) as session:
        event.listen(session, "before_flush", rival_commits_first)
        ours = versions.number_version(session=session, actor=actor, dataset=dataset,
                                       upload=upload, source=convert.Source("csv"))
        assert raced == [1] and ours.number == 2
        numbers = session.exec(select(DatasetVersion.number)
                               .where(DatasetVersion.dataset_id == dataset.id)
                               .order_by(col(DatasetVersion.number))).all()
        assert numbers == [1, 2]
