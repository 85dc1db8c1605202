"""The one typed client the UI uses to reach the API (HTTP only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

DEFAULT_API_URL = "http://127.0.0.1:8000"
MAX_PAGE = 200  # the API's largest page
JSON = dict[str, Any]


class Readable(Protocol):
    """What an upload streams from: a file, or a file wrapped to report progress."""

    def read(self, n: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Health:
    reachable: bool
    status: str
    checks: dict[str, str]
    version: str | None = None


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    type: str = "value_error"


@dataclass
class ApiError(Exception):
    """An API refusal: the problem+json's status, type, title, detail and field errors."""

    status: int
    detail: str
    type: str = "about:blank"
    title: str = ""
    errors: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    @property
    def slug(self) -> str:
        """The last part of the problem type (`not-found`, `conflict`, …)."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    def for_field(self, name: str) -> list[FieldProblem]:
        """The problems of one field (its path ends with `name`)."""
        return [e for e in self.errors if e.field == name or e.field.endswith(f".{name}")]


def _raise_for_problem(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = [FieldProblem(field=str(e.get("field", "")), message=str(e.get("message", "")),
                           type=str(e.get("type", "value_error")))
              for e in body.get("errors") or [] if isinstance(e, dict)]
    raise ApiError(status=response.status_code,
                   detail=str(body.get("detail") or response.reason_phrase),
                   type=str(body.get("type") or "about:blank"),
                   title=str(body.get("title") or response.reason_phrase), errors=errors)


def _params(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = str(value).lower() if isinstance(value, bool) else value
    return out


class ApiClient:
    """Calls to the Terrain API, with an optional bearer token (a JWT or an API key)."""

    def __init__(self, base_url: str | None = None, token: str | None = None,
                 timeout: float = 30.0) -> None:
        self.base_url = (base_url or os.environ.get("LAB_API_URL") or DEFAULT_API_URL).rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=f"{self.base_url}/api/v1", headers=headers,
                                  timeout=timeout)

    # --- plumbing ---
    def _send(self, method: str, path: str, *, params: dict[str, Any] | None = None,
              **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, params=_params(params or {}), **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(status=0, detail=str(exc), type="unreachable",
                           title="Unreachable") from exc
        _raise_for_problem(response)
        return response

    def _get(self, path: str, **params: Any) -> Any:
        return self._send("GET", path, params=params).json()

    def _post(self, path: str, body: Any = None, **params: Any) -> Any:
        return self._send("POST", path, json=body, params=params).json()

    def _patch(self, path: str, body: Any) -> Any:
        return self._send("PATCH", path, json=body).json()

    def _put(self, path: str, body: Any) -> Any:
        return self._send("PUT", path, json=body).json()

    def _delete(self, path: str) -> Any:
        return self._send("DELETE", path).json()

    def _upload(self, path: str, name: str, data: Readable, content_type: str,
                fields: dict[str, str] | None = None) -> Any:
        return self._send("POST", path, files={"file": (name, data, content_type)},
                          data=fields or {}).json()

    def _page(self, path: str, limit: int, offset: int, **params: Any) -> JSON:
        result: JSON = self._get(path, limit=min(limit, MAX_PAGE), offset=offset, **params)
        return result

    def _all(self, path: str, cap: int = 5000, **params: Any) -> list[JSON]:
        """Every item of a list, page by page, up to `cap` items."""
        items: list[JSON] = []
        while len(items) < cap:
            page = self._page(path, MAX_PAGE, len(items), **params)
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                break
        return items

    # --- platform and session ---
    def health(self) -> Health:
        """The API's health; `reachable=False` when it does not answer at all."""
        try:
            response = self._http.get("/health")
            body: JSON = response.json()
        except (httpx.HTTPError, ValueError):
            return Health(reachable=False, status="unreachable", checks={})
        return Health(reachable=True, status=str(body.get("status")),
                      checks=dict(body.get("checks", {})), version=body.get("version"))

    def login(self, email: str, password: str) -> str:
        """Exchange credentials for a short-lived access token (raises ApiError)."""
        body = self._send("POST", "/auth/token",
                          data={"username": email, "password": password}).json()
        return str(body["access_token"])

    def me(self) -> JSON:
        """The signed-in user."""
        result: JSON = self._get("/me")
        return result

    def create_api_key(self, name: str) -> JSON:
        """A new API key of the signed-in user (its secret is in `key`, shown once)."""
        result: JSON = self._post("/me/api-keys", {"name": name})
        return result

    def revoke_api_key(self, key_id: str) -> JSON:
        """Revoke one of the user's API keys at once."""
        result: JSON = self._delete(f"/me/api-keys/{key_id}")
        return result

    # --- directory and administration ---
    def authorities(self, *, limit: int = 100, offset: int = 0) -> JSON:
        return self._page("/authorities", limit, offset)

    def organizations(self, *, limit: int = 100, offset: int = 0) -> JSON:
        return self._page("/organizations", limit, offset)

    def create_authority(self, body: JSON) -> JSON:
        result: JSON = self._post("/admin/authorities", body)
        return result

    def create_organization(self, body: JSON) -> JSON:
        result: JSON = self._post("/admin/organizations", body)
        return result

    def users(self, *, role: str | None = None, limit: int = 50, offset: int = 0) -> JSON:
        return self._page("/admin/users", limit, offset, role=role)

    def create_user(self, body: JSON) -> JSON:
        result: JSON = self._post("/admin/users", body)
        return result

    def update_user(self, user_id: str, body: JSON) -> JSON:
        result: JSON = self._patch(f"/admin/users/{user_id}", body)
        return result

    # --- prototypes ---
    def prototypes(self, *, limit: int = 50, offset: int = 0) -> JSON:
        return self._page("/prototypes", limit, offset)

    def create_prototype(self, body: JSON) -> JSON:
        result: JSON = self._post("/prototypes", body)
        return result

    def update_prototype(self, prototype_id: str, body: JSON) -> JSON:
        result: JSON = self._patch(f"/prototypes/{prototype_id}", body)
        return result

    # --- pilots ---
    def pilots(self, *, status: str | None = None, awaiting_my_decision: bool = False,
               limit: int = 50, offset: int = 0) -> JSON:
        """A page of the pilots the user may see."""
        return self._page("/pilots", limit, offset, status=status,
                          awaiting_my_decision=awaiting_my_decision)

    def pilot(self, pilot_id: str) -> JSON:
        result: JSON = self._get(f"/pilots/{pilot_id}")
        return result

    def history(self, pilot_id: str, *, limit: int = 100, offset: int = 0) -> JSON:
        """The pilot's transitions, decisions, amendments and evaluations, oldest first."""
        return self._page(f"/pilots/{pilot_id}/history", limit, offset)

    def create_pilot(self, body: JSON) -> JSON:
        result: JSON = self._post("/pilots", body)
        return result

    def update_pilot(self, pilot_id: str, body: JSON) -> JSON:
        result: JSON = self._patch(f"/pilots/{pilot_id}", body)
        return result

    def submit_pilot(self, pilot_id: str) -> JSON:
        result: JSON = self._post(f"/pilots/{pilot_id}/submit")
        return result

    def transition(self, pilot_id: str, name: str, reason: str | None = None) -> JSON:
        """start, complete, revise (no reason) or suspend, withdraw (with a reason)."""
        body = None if reason is None else {"reason": reason}
        result: JSON = self._post(f"/pilots/{pilot_id}/{name}", body)
        return result

    def decide(self, pilot_id: str, decision: str, comment: str) -> JSON:
        """Record the user's authority's decision on a pilot."""
        result: JSON = self._post(f"/pilots/{pilot_id}/decisions",
                                  {"decision": decision, "comment": comment})
        return result

    def public_pilots(self, *, limit: int = 50, offset: int = 0) -> JSON:
        """Running pilots as citizens see them (no account needed)."""
        return self._page("/public/pilots", limit, offset)

    def audit(self, *, object_type: str | None = None, object_id: str | None = None,
              limit: int = 50, offset: int = 0) -> JSON:
        return self._page("/audit", limit, offset, object_type=object_type, object_id=object_id)

    # --- catalog ---
    def zones(self, **filters: Any) -> list[JSON]:
        """Every zone of the catalog (optionally filtered)."""
        return self._all("/zones", **filters)

    def assets(self, **filters: Any) -> list[JSON]:
        """Every asset of the catalog (optionally filtered)."""
        return self._all("/assets", **filters)

    def import_zones(self, collection: JSON) -> list[JSON]:
        """Zones from a GeoJSON FeatureCollection (all or nothing)."""
        result: list[JSON] = self._post("/zones/import", collection)
        return result

    def import_assets(self, collection: JSON) -> list[JSON]:
        """Assets from a GeoJSON FeatureCollection (all or nothing)."""
        result: list[JSON] = self._post("/assets/import", collection)
        return result

    def datasets(self, *, limit: int = 50, offset: int = 0, **filters: Any) -> JSON:
        return self._page("/datasets", limit, offset, **filters)

    def dataset_versions(self, dataset_id: str, *, limit: int = 20, offset: int = 0) -> JSON:
        return self._page(f"/datasets/{dataset_id}/versions", limit, offset)

    def upload_version(self, dataset_id: str, name: str, data: Readable) -> JSON:
        """A new version of a dataset, streamed from the file object (not read in memory)."""
        result: JSON = self._upload(f"/datasets/{dataset_id}/versions", name, data,
                                    "application/octet-stream")
        return result

    def version_rows(self, dataset_id: str, version_id: str, *, limit: int = 20) -> JSON:
        result: JSON = self._get(f"/datasets/{dataset_id}/versions/{version_id}/rows",
                                 limit=limit)
        return result

    # --- sandbox: grants, access events, measurements ---
    def grants(self, *, limit: int = 50, offset: int = 0, **filters: Any) -> JSON:
        return self._page("/grants", limit, offset, **filters)

    def grant(self, grant_id: str) -> JSON:
        result: JSON = self._get(f"/grants/{grant_id}")
        return result

    def revoke_grant(self, grant_id: str, reason: str) -> JSON:
        result: JSON = self._post(f"/grants/{grant_id}/revoke", {"reason": reason})
        return result

    def grant_links(self, grant_id: str) -> JSON:
        result: JSON = self._post(f"/grants/{grant_id}/links")
        return result

    def grant_credentials(self, grant_id: str) -> JSON:
        result: JSON = self._post(f"/grants/{grant_id}/credentials")
        return result

    def access_events(self, *, limit: int = 50, offset: int = 0, **filters: Any) -> JSON:
        return self._page("/access-events", limit, offset, **filters)

    def access_events_csv(self, **filters: Any) -> bytes:
        return self._send("GET", "/access-events.csv", params=filters).content

    def measurements(self, pilot_id: str, *, limit: int = 50, offset: int = 0) -> JSON:
        return self._page(f"/pilots/{pilot_id}/measurements", limit, offset)

    def upload_measurement(self, pilot_id: str, kpi: str, name: str, data: Readable, *,
                           replaces: str | None = None) -> JSON:
        """A measurement file (time, zone, value) for one KPI; refused whole if invalid;
        `replaces` names the current file of that KPI it takes the place of."""
        fields = {"kpi": kpi} | ({"replaces": replaces} if replaces else {})
        result: JSON = self._upload(f"/pilots/{pilot_id}/measurements", name, data,
                                    "application/octet-stream", fields=fields)
        return result

    def withdraw_measurement(self, pilot_id: str, measurement_id: str, reason: str) -> JSON:
        """A current file no longer counted (kept on record, audit-logged)."""
        result: JSON = self._post(f"/pilots/{pilot_id}/measurements/{measurement_id}/withdraw",
                                  {"reason": reason})
        return result

    def power(self, pilot_id: str) -> JSON:
        """The minimum detectable effect of the protocol's primary KPI."""
        result: JSON = self._get(f"/pilots/{pilot_id}/power")
        return result

    # --- evaluations ---
    def evaluations(self, pilot_id: str, *, limit: int = 20, offset: int = 0) -> JSON:
        return self._page(f"/pilots/{pilot_id}/evaluations", limit, offset)

    def series(self, pilot_id: str, evaluation_id: str) -> JSON:
        """Every KPI's treated vs control series, the forest rows and the method."""
        result: JSON = self._get(f"/pilots/{pilot_id}/evaluations/{evaluation_id}/series")
        return result

    def evaluation(self, pilot_id: str, evaluation_id: str) -> JSON:
        result: JSON = self._get(f"/pilots/{pilot_id}/evaluations/{evaluation_id}")
        return result

    def request_evaluation(self, pilot_id: str, body: JSON | None = None) -> JSON:
        result: JSON = self._post(f"/pilots/{pilot_id}/evaluations", body or {})
        return result

    def report(self, pilot_id: str, evaluation_id: str, fmt: str = "html") -> bytes:
        return self._send("GET", f"/pilots/{pilot_id}/evaluations/{evaluation_id}/report.{fmt}"
                          ).content

    def feedback_summary(self, pilot_id: str) -> JSON:
        result: JSON = self._get(f"/pilots/{pilot_id}/feedback/summary")
        return result

    def job(self, job_id: str) -> JSON:
        result: JSON = self._get(f"/jobs/{job_id}")
        return result

    # --- citizens and public (citizen helper) ---
    def public_pilots_filtered(self, *, q: str | None = None, authority: str | None = None,
                               domain: str | None = None, limit: int = 50,
                               offset: int = 0) -> JSON:
        """Running pilots, filtered by words (a place name), authority or domain."""
        return self._page("/public/pilots", limit, offset, q=q or None,
                          authority=authority or None, domain=domain or None)

    def public_pilot(self, pilot_id: str) -> JSON:
        """One running pilot as citizens see it (no account needed)."""
        result: JSON = self._get(f"/public/pilots/{pilot_id}")
        return result

    def public_places(self, *, pilot_id: str | None = None, limit: int = 100,
                      offset: int = 0) -> JSON:
        return self._page("/public/places", limit, offset, pilot_id=pilot_id)

    def public_zones(self, *, authority_id: str | None = None, limit: int = 200,
                     offset: int = 0) -> JSON:
        """The territory's zones (code, name, authority, outline), for anyone."""
        return self._page("/public/zones", limit, offset, authority_id=authority_id)

    def public_results(self, *, limit: int = 50, offset: int = 0) -> JSON:
        return self._page("/public/results", limit, offset)

    def public_result(self, pilot_id: str) -> JSON:
        result: JSON = self._get(f"/public/results/{pilot_id}")
        return result

    def public_catalog(self, *, limit: int = 100, offset: int = 0) -> JSON:
        """The DCAT catalog (JSON-LD) of the open datasets."""
        return self._page("/public/catalog", limit, offset)

    def public_directory(self, *, domain: str | None = None, limit: int = 50,
                         offset: int = 0) -> JSON:
        return self._page("/public/directory", limit, offset, domain=domain or None)

    def public_url(self, path: str) -> str:
        """The address of a public API resource, for a download link."""
        return f"{self.base_url}/api/v1{path}"

    def reportable_assets(self, pilot_id: str, *, limit: int = 200, offset: int = 0) -> JSON:
        return self._page("/public/reports/assets", limit, offset, pilot_id=pilot_id)

    def file_report(self, body: JSON) -> JSON:
        """Report a problem with a pilot's asset; the answer carries the receipt code."""
        result: JSON = self._post("/public/reports", body)
        return result

    def follow_report(self, receipt: str) -> JSON:
        result: JSON = self._get(f"/public/reports/{receipt}")
        return result

    def sign_up(self, body: JSON) -> JSON:
        """Create a tester account (email, password, optional bands)."""
        result: JSON = self._post("/public/testers", body)
        return result

    def consent(self, pilot_id: str) -> JSON:
        result: JSON = self._get(f"/pilots/{pilot_id}/consent")
        return result

    def publish_consent(self, pilot_id: str, body: JSON) -> JSON:
        """A new version of the pilot's consent text (FR/EN) and practical instructions."""
        result: JSON = self._post(f"/pilots/{pilot_id}/consent", body)
        return result

    def mediators(self, authority_id: str, *, limit: int = 100, offset: int = 0) -> JSON:
        """The authority's mediators (who receive people at its desks)."""
        return self._page(f"/authorities/{authority_id}/mediators", limit, offset)

    def questionnaire(self, pilot_id: str) -> JSON:
        result: JSON = self._get(f"/pilots/{pilot_id}/questionnaire")
        return result

    def my_tester(self) -> JSON:
        result: JSON = self._get("/citizens/me")
        return result

    def my_pilots(self, *, limit: int = 50, offset: int = 0) -> JSON:
        return self._page("/citizens/me/pilots", limit, offset)

    def enroll(self, pilot_id: str, consent_version: int) -> JSON:
        result: JSON = self._post(f"/citizens/me/enrollments/{pilot_id}",
                                  {"consent_version": consent_version})
        return result

    def withdraw(self, pilot_id: str) -> JSON:
        result: JSON = self._delete(f"/citizens/me/enrollments/{pilot_id}")
        return result

    def export_me(self) -> JSON:
        result: JSON = self._get("/citizens/me/export")
        return result

    def erase_me(self) -> JSON:
        result: JSON = self._post("/citizens/me/erase", {"confirm": True})
        return result

    def submit_feedback(self, pilot_id: str, body: JSON, idempotency_key: str) -> JSON:
        """Answers to a pilot's questionnaire; a retry with the same key is stored once."""
        result: JSON = self._send("POST", f"/pilots/{pilot_id}/feedback", json=body,
                                  headers={"Idempotency-Key": idempotency_key}).json()
        return result

    def submit_mediated(self, pilot_id: str, body: JSON, idempotency_key: str) -> JSON:
        """Answers a mediator records (channel, tester code or anonymous, place)."""
        result: JSON = self._send("POST", f"/pilots/{pilot_id}/feedback/mediated", json=body,
                                  headers={"Idempotency-Key": idempotency_key}).json()
        return result

    def register_tester(self, body: JSON) -> JSON:
        """A person registered without email; the answer's `code` is shown only now."""
        result: JSON = self._post("/citizens/testers", body)
        return result

    def lookup_tester(self, code: str) -> JSON:
        result: JSON = self._post("/citizens/testers/lookup", {"code": code})
        return result

    def tester_pilots(self, code: str) -> JSON:
        result: JSON = self._post("/citizens/testers/pilots", {"code": code})
        return result

    def enroll_tester(self, code: str, pilot_id: str, consent_version: int) -> JSON:
        result: JSON = self._post("/citizens/testers/enrollments",
                                  {"code": code, "pilot_id": pilot_id,
                                   "consent_version": consent_version})
        return result

    def export_tester(self, code: str) -> JSON:
        result: JSON = self._post("/citizens/testers/export", {"code": code})
        return result

    def erase_tester(self, code: str) -> JSON:
        result: JSON = self._post("/citizens/testers/erase", {"code": code, "confirm": True})
        return result

    def my_places(self, *, limit: int = 100, offset: int = 0) -> JSON:
        """The places of the signed-in person's authority."""
        return self._page("/places", limit, offset)


__all__ = ["ApiClient", "ApiError", "FieldProblem", "Health"]
