"""Domain exceptions of the application, mapped to HTTP problems by `lab.errors`.

    LabError                      500 (an unexpected condition worth a message)
    ├── NotAuthenticated          401
    │   └── InvalidCredentials    401
    ├── PermissionDenied          403
    ├── NotFound                  404 (also used to hide what an actor may not see)
    ├── Conflict                  409
    ├── InvalidInput              422 (a rule on the data; names the field)
    ├── TooManyRequests           429 (carries retry_after seconds)
    └── ServiceUnavailable        503
"""

from __future__ import annotations


class LabError(Exception):
    """Base of every domain error; `status` and `title` say how it reaches a client."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotAuthenticated(LabError):
    status, title = 401, "Not authenticated"


class InvalidCredentials(NotAuthenticated):
    title = "Invalid credentials"


class PermissionDenied(LabError):
    status, title = 403, "Permission denied"


class NotFound(LabError):
    status, title = 404, "Not found"


class Conflict(LabError):
    status, title = 409, "Conflict"


class InvalidInput(LabError):
    status, title = 422, "Invalid input"


class TooManyRequests(LabError):
    status, title = 429, "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(LabError):
    status, title = 503, "Service unavailable"


__all__ = [
    "Conflict",
    "InvalidCredentials",
    "InvalidInput",
    "LabError",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "ServiceUnavailable",
    "TooManyRequests",
]
