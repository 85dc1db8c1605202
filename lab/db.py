"""Engine, sessions and the migration state of the database."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from lab.exceptions import ServiceUnavailable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Explicit constraint names so migrations are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


class DatabaseNotMigrated(RuntimeError):
    """The database schema is not at the latest migration."""


class WriteInReadTransaction(RuntimeError):
    """A statement tried to write inside a SQLite read (deferred) transaction."""


# The execution option naming how a SQLite transaction begins: "IMMEDIATE" for a writer, which
# takes the write lock at BEGIN and so waits out the busy timeout when another writer holds it;
# "DEFERRED" (the default) for a reader, which never waits in WAL mode but must not write.
# PostgreSQL ignores it.
SQLITE_BEGIN = "sqlite_begin"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def make_engine(url: str, *, strict_sqlite_writes: bool = False, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, working savepoints and writers that wait.

    With `strict_sqlite_writes` (the tests), a write inside a read transaction raises
    `WriteInReadTransaction` instead of failing only under contention.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _sqlite_setup(engine, strict=strict_sqlite_writes)
        return engine
    # At least as many connections as the threads that run sync routes (anyio's 40).
    # No pre-ping round trip per checkout; a dropped connection invalidates the pool instead.
    options = {"pool_size": 20, "max_overflow": 30, "pool_recycle": 1800} | kwargs
    return create_engine(url, **options)


# How long a writer waits for its turn, as SQLite's own busy timeout.
WRITE_WAIT_SECONDS = 30.0


class DatabaseBusy(ServiceUnavailable):
    """No turn to write came within the wait (the API answers 503)."""


class FifoLock:
    """A lock granted in the order it was asked for.

    SQLite's busy handler retries at intervals, so under load a writer can lose the race to
    later ones until its timeout (seen: 7 of 400 requests at 16 clients failed after 30 s).
    Within one process, writers therefore queue here, first come first served, before BEGIN
    IMMEDIATE; the busy timeout is left for other processes (the worker).
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait for the lock up to `timeout` seconds; False when it did not come."""
        with self._mutex:
            if not self._held and not self._waiters:
                self._held = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ended
                return True
            self._waiters.remove(turn)
            return False

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._held = False


# The write turns of each SQLite engine, keyed by its pool (shared by the engine's variants
# from `execution_options`, such as `reader` and `writer`).
_TURNS: weakref.WeakKeyDictionary[Any, FifoLock] = weakref.WeakKeyDictionary()
_PRETAKEN = "write_turn_pretaken"


def _sqlite_setup(engine: Engine, *, strict: bool) -> None:
    turns = _TURNS.setdefault(engine.pool, FifoLock())
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN
    # (recipe from the SQLAlchemy SQLite dialect documentation).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes is refused at once (SQLITE_BUSY,
        # no busy wait) when another connection wrote in between: writers must say so up
        # front. Readers stay deferred, so in WAL mode they never wait for a writer.
        mode = conn.get_execution_options().get(SQLITE_BEGIN)
        if mode != "IMMEDIATE":
            conn.exec_driver_sql("BEGIN")
            return
        if not conn.get_execution_options().get(_PRETAKEN) and not turns.acquire(
                WRITE_WAIT_SECONDS):
            raise DatabaseBusy("The database is busy with other writes; try again shortly.")
        conn.info["write_turn"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end_turn(conn.info)
            raise

    def _end_turn(info: dict[str, Any]) -> None:
        if info.pop("write_turn", False):
            turns.release()

    # The events fire just before COMMIT or ROLLBACK: the next writer may reach BEGIN
    # IMMEDIATE a moment early, and SQLite's busy wait covers that moment.
    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        _end_turn(conn.info)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        _end_turn(conn.info)

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        _end_turn(record.info)  # a connection returned without commit or rollback

    if strict:
        @event.listens_for(engine, "before_cursor_execute")
        def _refuse_upgrade(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if (conn.get_execution_options().get(SQLITE_BEGIN) == "DEFERRED"
                    and conn.in_transaction()
                    and statement.lstrip().upper().startswith(_WRITE_VERBS)):
                raise WriteInReadTransaction(
                    f"write in a read transaction (call lab.db.begin_write first): "
                    f"{statement[:80]}")


def reader(engine: Engine) -> Engine:
    """The engine for sessions that only read (a write there raises on a strict engine)."""
    return engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})


def writer(engine: Engine) -> Engine:
    """The engine for sessions that write: on SQLite every transaction is `BEGIN IMMEDIATE`."""
    return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine is SQLite (whose writers take turns; see `FifoLock`)."""
    return engine.dialect.name == "sqlite"


def try_begin_write(session: Session) -> bool:
    """Like `begin_write`, but only if no other writer of this process is in the way.

    For writes that may be skipped (an API key's last use): a read request never waits in
    a queue of writers, so it cannot hold a worker thread a writer needs to finish.
    """
    turns = _TURNS.get(session.get_bind().engine.pool)
    if turns is None:  # PostgreSQL: row locks, no turns
        begin_write(session)
        return True
    if session.new or session.dirty or session.deleted:
        raise WriteInReadTransaction("try_begin_write called with changes already pending")
    if session.in_transaction():
        session.commit()
    if not turns.acquire(0):
        return False
    try:
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE", _PRETAKEN: True})
    except BaseException:
        turns.release()
        raise
    return True


def begin_write(session: Session) -> None:
    """Make the session's next transaction a writer (on SQLite, `BEGIN IMMEDIATE`).

    A reading session about to write calls this first: it ends the current read transaction
    (which must hold no pending change) so that the write does not upgrade a read.
    """
    if session.new or session.dirty or session.deleted:
        raise WriteInReadTransaction("begin_write called with changes already pending")
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session bound to the engine (used by the request dependency)."""
    with Session(engine) as session:
        yield session


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the given database URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database to a revision (default: the latest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Downgrade the database to a revision (default: empty)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The latest revision shipped with the code."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    with reader(engine).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    """Raise `DatabaseNotMigrated` with a clear message unless the schema is current."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise DatabaseNotMigrated(
            f"The database at {engine.url.render_as_string(hide_password=True)} is at revision "
            f"{current or 'none'} but the code needs {head}: run `lab migrate` first."
        )


__all__ = [
    "SQLITE_BEGIN",
    "DatabaseBusy",
    "DatabaseNotMigrated",
    "FifoLock",
    "WriteInReadTransaction",
    "begin_write",
    "is_sqlite",
    "try_begin_write",
    "reader",
    "writer",
    "alembic_config",
    "current_revision",
    "downgrade",
    "ensure_migrated",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade",
]
