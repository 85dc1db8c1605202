"""`UtcDateTime`: instants go in as UTC and come back aware, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.engine import Engine

from lab.common import UtcDateTime

pytestmark = pytest.mark.db


def test_instants_are_stored_in_utc_and_read_back_aware(live_engine: Engine) -> None:
    table = Table("utc_datetime_check", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UtcDateTime))
    paris = timezone(timedelta(hours=2))
    with live_engine.begin() as conn:
        table.create(conn)
        try:
            conn.execute(table.insert(), [
                {"id": 1, "at": datetime(2026, 6, 1, 12, 0, tzinfo=paris)},
                {"id": 2, "at": datetime(2026, 6, 1, 10, 30)},  # naive: taken as UTC
                {"id": 3, "at": None}])
            rows = dict(conn.execute(select(table.c.id, table.c.at)).all())
            later = conn.execute(select(table.c.id).where(
                table.c.at > datetime(2026, 6, 1, 11, 0, tzinfo=paris))).scalars().all()
        finally:
            table.drop(conn)
    assert rows[1] == datetime(2026, 6, 1, 10, 0, tzinfo=UTC) and rows[1].tzinfo is not None
    assert rows[2] == datetime(2026, 6, 1, 10, 30, tzinfo=UTC) and rows[2].tzinfo is not None
    assert rows[3] is None
    assert sorted(later) == [1, 2]  # compared as instants (11:00+02:00 is 09:00 UTC)
