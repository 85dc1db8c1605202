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


class ApiClient:
    """Calls to the Terrain API, with an optional bearer token."""

    def __init__(self, base_url: str | None = None, token: str | None = None,
                 timeout: float = 5.0) -> None:
        self.base_url = (base_url or os.environ.get("LAB_API_URL") or DEFAULT_API_URL).rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=f"{self.base_url}/api/v1", headers=headers,
                                  timeout=timeout)

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
        """Exchange credentials for an access token (raises httpx.HTTPStatusError)."""
        response = self._http.post("/auth/token", data={"username": email, "password": password})
        response.raise_for_status()
        return str(response.json()["access_token"])

    def me(self) -> dict[str, Any]:
        """The signed-in user."""
        response = self._http.get("/me")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


__all__ = ["ApiClient", "Health"]
