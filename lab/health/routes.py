"""Health of the API and what it depends on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

from lab.db import reader

# Public: load balancers and the platform's own supervisor probe it without credentials;
# it reveals only whether each component answers.
public_router = APIRouter(tags=["health"])


def _check_database(request: Request) -> str:
    try:
        with Session(reader(request.app.state.engine)) as session:
            session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "down"
        return "down"


def _check_storage(request: Request) -> str:
    client = request.app.state.storage
    if client is None:
        return "not configured"
    try:
        client.list_buckets()
        return "ok"
    except Exception:  # noqa: BLE001
        return "down"


@public_router.get("/health")
def health(request: Request) -> JSONResponse:
    """200 when the database and the object store answer, 503 otherwise."""
    checks: dict[str, Any] = {
        "database": _check_database(request),
        "object_store": _check_storage(request),
    }
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks,
            "version": request.app.version}
    return JSONResponse(body, status_code=200 if healthy else 503)


__all__ = ["public_router"]
