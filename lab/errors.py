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
    """Attach the handlers to the app, and declare the problem responses in its OpenAPI."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(LabError, _domain)
    app.add_exception_handler(Exception, _unexpected)
    _document_problems(app)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error, as RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "URI naming the kind of problem"},
        "title": {"type": "string", "description": "Short summary of the kind of problem"},
        "status": {"type": "integer", "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "What went wrong and what to fix"},
        "errors": {
            "type": "array",
            "description": "The fields at fault, when the input is",
            "items": {
                "type": "object",
                "required": ["field", "message", "type"],
                "properties": {
                    "field": {"type": "string", "description": "Dotted path of the field"},
                    "message": {"type": "string", "description": "What is wrong with it"},
                    "type": {"type": "string", "description": "Kind of error"},
                },
            },
        },
    },
}
# Declared on every operation (401 and 403 on those that take credentials); "4XX" covers
# the rarer ones (410 ended grant, 413 upload too large, 429 throttled…), same shape.
_PROBLEMS = {
    "401": "Not authenticated: missing, invalid or expired credentials",
    "403": "Authenticated, but not allowed to do this",
    "404": "No such object, or not one the caller may see",
    "409": "Conflicts with the current state (duplicate, wrong lifecycle stage…)",
    "422": "Invalid input; `errors` names the fields",
    "4XX": "Another client error, as a problem",
}


def _document_problems(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in _PROBLEMS.items():
                    if code in ("401", "403") and not operation.get("security"):
                        continue
                    responses[code] = {"description": description, "content": content}
        if "HTTPValidationError" not in str(spec.get("paths")):
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["PROBLEM_JSON", "PROBLEM_SCHEMA", "install", "problem"]
