"""The one typed client the UI uses to reach the API (HTTP only)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_API_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Health:
    reachable: bool
    status: str
    checks: dict[str, str]
    version: str | None = None


class ApiError(Exception):
    """An API refusal, carrying the problem+json detail a person can act on."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _raise_for_problem(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        detail = str(response.json().get("detail", response.reason_phrase))
    except ValueError:
        detail = response.reason_phrase
    raise ApiError(response.status_code, detail)


class ApiClient:
    """Calls to the Terrain API, with an optional bearer token."""

    def __init__(self, base_url: str | None = None, token: str | None = None,
                 timeout: float = 10.0) -> None:
        self.base_url = (base_url or os.environ.get("LAB_API_URL") or DEFAULT_API_URL).rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=f"{self.base_url}/api/v1", headers=headers,
                                  timeout=timeout)

    def _get(self, path: str, **params: Any) -> Any:
        response = self._http.get(path, params={k: v for k, v in params.items()
                                                if v is not None})
        _raise_for_problem(response)
        return response.json()

    def _post(self, path: str, body: Any = None) -> Any:
        response = self._http.post(path, json=body)
        _raise_for_problem(response)
        return response.json()

    def health(self) -> Health:
        """The API's health; `reachable=False` when it does not answer at all."""
        try:
            response = self._http.get("/health")
        except httpx.HTTPError:
            return Health(reachable=False, status="unreachable", checks={})
        body: dict[str, Any] = response.json()
        return Health(reachable=True, status=str(body.get("status")),
                      checks=dict(body.get("checks", {})), version=body.get("version"))

    def login(self, email: str, password: str) -> str:
        """Exchange credentials for an access token (raises ApiError)."""
        response = self._http.post("/auth/token", data={"username": email, "password": password})
        _raise_for_problem(response)
        return str(response.json()["access_token"])

    def me(self) -> dict[str, Any]:
        """The signed-in user."""
        result: dict[str, Any] = self._get("/me")
        return result

    def pilots(self, *, status: str | None = None, awaiting_my_decision: bool = False,
               limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """A page of the pilots the user may see."""
        result: dict[str, Any] = self._get(
            "/pilots", status=status, limit=limit, offset=offset,
            awaiting_my_decision=str(awaiting_my_decision).lower())
        return result

    def decide(self, pilot_id: str, decision: str, comment: str) -> dict[str, Any]:
        """Record the user's authority's decision on a pilot."""
        result: dict[str, Any] = self._post(f"/pilots/{pilot_id}/decisions",
                                            {"decision": decision, "comment": comment})
        return result

    def public_pilots(self, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Running pilots as citizens see them (no account needed)."""
        result: dict[str, Any] = self._get("/public/pilots", limit=limit, offset=offset)
        return result


__all__ = ["ApiClient", "ApiError", "Health"]
