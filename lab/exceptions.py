"""Domain exceptions of the application, mapped to HTTP problems by `lab.errors`.

    LabError                      500 internal-error (an unexpected condition worth a message)
    ├── NotAuthenticated          401 not-authenticated
    │   └── InvalidCredentials    401 invalid-credentials
    ├── PermissionDenied          403 permission-denied
    ├── NotFound                  404 not-found (also used to hide what an actor may not see)
    ├── Conflict                  409 conflict
    │   └── MeasurementOverlap    409 measurement-overlap
    ├── InvalidInput              422 invalid-input (a rule on the data; names the field(s))
    ├── TooManyRequests           429 too-many-requests (carries retry_after seconds)
    └── ServiceUnavailable        503 service-unavailable

Each class carries a stable `problem_type` slug: the problem's `type` is
`https://terrain.example/problems/<slug>`, listed with every other type in
`lab.errors.PROBLEM_TYPES` (and at `GET /api/v1/problem-types`).
"""

from __future__ import annotations

from collections.abc import Sequence


class LabError(Exception):
    """Base of every domain error; `status`, `title` and `problem_type` say how it reaches
    a client. `errors` lists (field, message) pairs when there are several problems."""

    status: int = 500
    title: str = "Internal error"
    problem_type: str = "internal-error"

    def __init__(self, detail: str, *, field: str | None = None,
                 errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.errors = list(errors)


class Problems(ValueError):
    """Several problems found by one pydantic validator, each with its field path relative
    to the validated model; `lab.errors` lists each one in the problem's `errors[]`."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = list(problems)


class NotAuthenticated(LabError):
    status, title, problem_type = 401, "Not authenticated", "not-authenticated"


class InvalidCredentials(NotAuthenticated):
    title, problem_type = "Invalid credentials", "invalid-credentials"


class PermissionDenied(LabError):
    status, title, problem_type = 403, "Permission denied", "permission-denied"


class NotFound(LabError):
    status, title, problem_type = 404, "Not found", "not-found"


class Conflict(LabError):
    status, title, problem_type = 409, "Conflict", "conflict"


class MeasurementOverlap(Conflict):
    title, problem_type = "Measurement overlap", "measurement-overlap"


class InvalidInput(LabError):
    status, title, problem_type = 422, "Invalid input", "invalid-input"


class TooManyRequests(LabError):
    status, title, problem_type = 429, "Too many requests", "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(LabError):
    status, title, problem_type = 503, "Service unavailable", "service-unavailable"


__all__ = [
    "Conflict",
    "InvalidCredentials",
    "InvalidInput",
    "LabError",
    "MeasurementOverlap",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "Problems",
    "ServiceUnavailable",
    "TooManyRequests",
]
