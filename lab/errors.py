"""Every error leaves the API as problem+json (RFC 9457); no stack trace reaches a client."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lab.exceptions import LabError, TooManyRequests

logger = logging.getLogger("lab.errors")

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, detail: str, *, title: str | None = None, headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build a problem+json response."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {
        "type": f"https://terrain.example/problems/{phrase.lower().replace(' ', '-')}",
        "title": title or phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(loc[0] if loc else "request")


# A model-level rule names its field at the start of its message: "kpis: exactly one…".
_NAMED_FIELD = re.compile(r"^(?:Value error, )?([A-Za-z_][\w.\[\]]*): (.+)$", re.S)


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    field, message = _field_path(tuple(error.get("loc", ()))), str(error.get("msg", "invalid"))
    if match := _NAMED_FIELD.match(message):
        field, message = f"{field}.{match.group(1)}", match.group(2)
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return {"field": field, "message": message, "type": str(error.get("type", "value_error"))}


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(e) for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request"
    return problem(422, detail, title="Invalid input", errors=errors)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _domain(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LabError)
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    extra: dict[str, Any] = {}
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.detail, "type": "value_error"}]
    if exc.status >= 500:
        logger.error("domain error: %s", exc.detail)
    return problem(exc.status, exc.detail, title=exc.title, headers=headers or None, **extra)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "An unexpected error occurred; it has been logged.")


def install(app: FastAPI) -> None:
    """Attach the handlers to the app."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(LabError, _domain)
    app.add_exception_handler(Exception, _unexpected)


__all__ = ["PROBLEM_JSON", "install", "problem"]
