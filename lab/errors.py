"""Every error leaves the API as problem+json (RFC 9457); no stack trace reaches a client.

A problem is `{"type", "title", "status", "detail"}` and, when fields are at fault,
`errors: [{"field", "message", "type"}]` listing **every** problem found at once (field
paths such as `protocol.kpis[1].source.column`). `type` is one of the stable URIs of
`PROBLEM_TYPES` below, `https://terrain.example/problems/<slug>`: clients (the Streamlit UI)
translate a problem by its slug and fall back to the English `detail`. The catalogue is
served at `GET /api/v1/problem-types`, without authentication: a client needs it to
translate the sign-in's own errors, and it holds no data.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from lab.exceptions import LabError, Problems, TooManyRequests

logger = logging.getLogger("lab.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://terrain.example/problems/"


class ProblemType(BaseModel):
    slug: str = Field(description="Stable identifier, the last segment of `type`")
    type: str = Field(description="The URI found in a problem's `type`")
    status: int = Field(description="The HTTP status it comes with")
    title: str = Field(description="The problem's `title` (English)")
    description: str = Field(description="When it happens, in English, for translators")


def _types(*rows: tuple[str, int, str, str]) -> dict[str, ProblemType]:
    return {slug: ProblemType(slug=slug, type=PROBLEM_BASE + slug, status=status, title=title,
                              description=text) for slug, status, title, text in rows}


# The one list of problem types; a test checks every domain exception has its slug here.
PROBLEM_TYPES: dict[str, ProblemType] = _types(
    ("invalid-input", 422, "Invalid input",
     "The request or a rule on its data is not met; `errors[]` names each field at fault."),
    ("not-authenticated", 401, "Not authenticated",
     "No valid token or API key: sign in again."),
    ("invalid-credentials", 401, "Invalid credentials", "Wrong email or password."),
    ("permission-denied", 403, "Permission denied",
     "Signed in, but this role or organisation may not do this."),
    ("not-found", 404, "Not found",
     "No such object, or one the caller may not see."),
    ("method-not-allowed", 405, "Method not allowed", "The route exists for another method."),
    ("conflict", 409, "Conflict",
     "The object's state forbids this now (e.g. a pilot in the wrong status)."),
    ("measurement-overlap", 409, "Measurement overlap",
     "Another current measurement file of the same KPI covers the same zones and hours; "
     "replace it or withdraw it first."),
    ("grant-not-usable", 409, "Grant not usable",
     "The data grant exists but nothing is issued now (extract not ready, pilot not "
     "approved or running, too little time left)."),
    ("grant-ended", 410, "Grant ended", "The data grant expired or was revoked."),
    ("upload-too-large", 413, "Upload too large", "The file exceeds the configured limit."),
    ("too-many-requests", 429, "Too many requests",
     "Too many attempts; retry after the `Retry-After` seconds."),
    ("internal-error", 500, "Internal error",
     "An unexpected error; it was logged. Try again or contact the platform team."),
    ("service-unavailable", 503, "Service unavailable",
     "A component (database, object store, job queue) is not reachable."),
    ("http-error", 400, "Bad request", "Any other HTTP-level error; read `status`."),
)
_BY_STATUS = {401: "not-authenticated", 403: "permission-denied", 404: "not-found",
              405: "method-not-allowed", 409: "conflict", 413: "upload-too-large",
              422: "invalid-input", 429: "too-many-requests", 500: "internal-error",
              503: "service-unavailable"}


def problem(
    status: int, detail: str, *, title: str | None = None, headers: dict[str, str] | None = None,
    problem_type: str | None = None, **extra: Any,
) -> JSONResponse:
    """Build a problem+json response; `problem_type` is a slug of `PROBLEM_TYPES`."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    # An unlisted slug falls back to its status' type (a test keeps the catalogue complete).
    slug = (problem_type if problem_type in PROBLEM_TYPES
            else _BY_STATUS.get(status, "http-error"))
    body = {
        "type": PROBLEM_BASE + slug,
        "title": title or phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


# Tagged unions add the tag to a location ("source", "dataset", "column"): not a field.
_UNION_TAGS = {"source": {"dataset", "measurement"}}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "form")]
    path = ""
    for i, part in enumerate(parts):
        if isinstance(part, int):
            path += f"[{part}]"
        elif i and isinstance(parts[i - 1], str) and part in _UNION_TAGS.get(parts[i - 1], ()):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or str(loc[0] if loc else "request")


def _join(base: str, field: str) -> str:
    if not field:
        return base
    return f"{base}{field}" if field.startswith("[") else f"{base}.{field}"


# A model-level rule names its field at the start of its message: "kpis: exactly one…".
_NAMED_FIELD = re.compile(r"^(?:Value error, )?([A-Za-z_][\w.\[\]]*): (.+)$", re.S)


def _field_errors(error: dict[str, Any]) -> list[dict[str, str]]:
    field, message = _field_path(tuple(error.get("loc", ()))), str(error.get("msg", "invalid"))
    kind = str(error.get("type", "value_error"))
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Problems):
        return [{"field": _join(field, f), "message": m, "type": kind}
                for f, m in cause.problems]
    if match := _NAMED_FIELD.match(message):
        return [{"field": _join(field, match.group(1)), "message": match.group(2), "type": kind}]
    return [{"field": field, "message": message.removeprefix("Value error, "), "type": kind}]


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [e for error in exc.errors() for e in _field_errors(error)]
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
    if exc.errors:
        extra["errors"] = [{"field": f, "message": m, "type": "value_error"}
                           for f, m in exc.errors]
    elif exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.detail, "type": "value_error"}]
    if exc.status >= 500:
        logger.error("domain error: %s", exc.detail)
    return problem(exc.status, exc.detail, title=exc.title, headers=headers or None,
                   problem_type=exc.problem_type, **extra)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "An unexpected error occurred; it has been logged.")


# Public: a client translates problems (the sign-in's own among them) before anyone signs in;
# the catalogue holds no data.
router = APIRouter(tags=["meta"])


@router.get("/problem-types", response_model=list[ProblemType])
def problem_types() -> list[ProblemType]:
    """Every problem `type` the API returns, with its status, title and when it happens."""
    return list(PROBLEM_TYPES.values())


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
        "type": {"type": "string", "description": "URI naming the kind of problem, one of "
                                                  "GET /api/v1/problem-types"},
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


__all__ = ["PROBLEM_BASE", "PROBLEM_JSON", "PROBLEM_SCHEMA", "PROBLEM_TYPES", "ProblemType",
           "install", "problem", "router"]
