"""SQLite writers wait for each other instead of failing (issue 13, item 1).

In WAL mode a deferred transaction that has read and then writes is refused at once with
"database is locked" when another connection committed in between: the busy timeout does
not apply. Terrain's write transactions therefore begin `IMMEDIATE`, read-only requests
begin deferred, and a write in a read transaction is a programming error the tests catch.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from lab.db import WriteInReadTransaction, begin_write, make_engine, reader, writer


@pytest.fixture
def counter(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'counter.db'}", strict_sqlite_writes=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    return engine


def _value(engine: Engine) -> int:
    with reader(engine).connect() as conn:
        return int(conn.exec_driver_sql("SELECT n FROM counter").scalar_one())


def test_a_deferred_read_then_write_fails_when_another_writer_committed(tmp_path: Path) -> None:
    # The failure the fix avoids, shown on a plain (non-strict) engine.
    engine = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    with reader(engine).connect() as stale:
        stale.begin()
        stale.exec_driver_sql("SELECT n FROM counter").scalar_one()
        with engine.begin() as other:
            other.exec_driver_sql("UPDATE counter SET n = n + 1")
        with pytest.raises(OperationalError, match="locked"):
            stale.exec_driver_sql("UPDATE counter SET n = n + 1")
    engine.dispose()


def test_writers_queue_on_the_lock_and_none_is_lost(counter: Engine) -> None:
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def holder() -> None:
        with writer(counter).begin() as conn:  # BEGIN IMMEDIATE: takes the write lock now
            conn.exec_driver_sql("UPDATE counter SET n = n + 1")
            holding.set()
            release.wait(10)

    def read_then_write() -> None:
        try:
            with Session(writer(counter)) as session:
                n = session.connection().exec_driver_sql("SELECT n FROM counter").scalar_one()
                session.connection().exec_driver_sql(f"UPDATE counter SET n = {n + 1}")
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(10)
    waiting = [threading.Thread(target=read_then_write) for _ in range(4)]
    for thread in waiting:
        thread.start()
    release.set()
    for thread in [first, *waiting]:
        thread.join(30)
    assert errors == []
    assert _value(counter) == 5  # read-modify-write in each: serialized, none lost


def test_a_write_in_a_read_transaction_is_refused_by_the_strict_engine(counter: Engine) -> None:
    with Session(reader(counter)) as session:
        session.connection().exec_driver_sql("SELECT n FROM counter")
        with pytest.raises(WriteInReadTransaction, match="begin_write"):
            session.connection().exec_driver_sql("UPDATE counter SET n = 7")
    assert _value(counter) == 0


def test_begin_write_ends_the_read_and_writes_in_a_write_transaction(counter: Engine) -> None:
    with Session(reader(counter)) as session:
        n = session.connection().exec_driver_sql("SELECT n FROM counter").scalar_one()
        begin_write(session)
        session.connection().exec_driver_sql(f"UPDATE counter SET n = {n + 3}")
        session.commit()
    assert _value(counter) == 3


def test_the_write_lock_is_granted_in_the_order_it_was_asked_for() -> None:
    from lab.db import FifoLock

    lock, order, started = FifoLock(), [], []
    assert lock.acquire(1)

    def waiter(i: int) -> None:
        started.append(i)
        assert lock.acquire(10)
        order.append(i)
        lock.release()

    threads = []
    for i in range(6):  # queue them one after the other, so the order of asking is known
        thread = threading.Thread(target=waiter, args=(i,))
        thread.start()
        threads.append(thread)
        while len(lock._waiters) < i + 1:  # noqa: SLF001 - wait until it is queued
            threading.Event().wait(0.001)
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == list(range(6))
    assert not lock.acquire(0.01) or lock.release() is None  # free again at the end


def test_a_writer_that_waited_too_long_gives_up_and_keeps_no_place() -> None:
    from lab.db import FifoLock

    lock = FifoLock()
    assert lock.acquire(1)
    assert lock.acquire(0.05) is False
    assert len(lock._waiters) == 0  # noqa: SLF001
    lock.release()
    assert lock.acquire(0.05)
