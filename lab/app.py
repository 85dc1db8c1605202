"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI
from sqlalchemy.engine import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from lab import errors
from lab import job_kinds as _job_kinds  # noqa: F401  (registers job kinds)
from lab.api import API_PREFIX, build_router
from lab.db import ensure_migrated, is_sqlite, make_engine
from lab.deps import write_turn
from lab.jobs import runtime
from lab.limits import BodyLimit, geometry_rules
from lab.objectstore import client_from_settings
from lab.settings import LabSettings, get_settings
from lab.street import routes as street

VERSION = "0.1.0"


def create_app(
    settings: LabSettings | None = None,
    *,
    engine: Engine | None = None,
    storage: Any = None,
    check_migrations: bool = True,
) -> FastAPI:
    """Build the API; refuses to start on a bad configuration or an un-migrated database."""
    settings = settings or get_settings()
    settings.validate_for_startup()
    engine = engine or make_engine(settings.resolved_database_url)
    storage = storage if storage is not None else client_from_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if check_migrations:
            ensure_migrated(engine)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        _app.state.write_lock = asyncio.Lock() if is_sqlite(engine) else None
        yield

    app = FastAPI(
        dependencies=[Depends(write_turn)],
        title="Terrain API",
        version=VERSION,
        description="Living-lab platform for territories: pilots, sandboxed data, evaluation.",
        lifespan=lifespan,
    )
    app.state.write_lock = None
    app.state.settings = settings
    app.state.engine = engine
    app.state.storage = storage
    runtime.set_engine(engine)
    if storage is not None:
        runtime.set_storage(storage)
    errors.install(app)
    app.add_middleware(BodyLimit, rules=geometry_rules(API_PREFIX))
    # Outermost: the client's address (login limits, access events) is the peer's, unless
    # the peer is a configured proxy; then the nearest address it forwards that is not one.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.include_router(build_router())
    # Outside /api/v1: the short public address printed on posters (see lab/api.py).
    app.include_router(street.page_router)
    return app


__all__ = ["VERSION", "create_app"]
