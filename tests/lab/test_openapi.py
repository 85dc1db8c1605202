"""The OpenAPI document describes every field of the API models (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lab.app import create_app
from lab.settings import LabSettings

# Component schemas produced by the API models of zones, assets, datasets, prototypes, pilots
# (with the protocol and the public view), directory, auth, jobs, audit and evaluations;
# then citizens, feedback and the sandbox.
DESCRIBED = [
    "ZonePublic", "ZoneCreate", "ZoneUpdate",
    "AssetPublic", "AssetCreate", "AssetUpdate",
    "DatasetPublic", "DatasetCreate", "DatasetUpdate", "DatasetVersionPublic", "ColumnInfo",
    "VersionPreview",
    "PrototypePublic", "PrototypeCreate", "PrototypeUpdate",
    "PilotPublic", "PilotCreate", "PilotUpdate", "ApprovalPublic", "DecisionCreate",
    "TransitionReason",
    "Protocol", "Period", "Kpi", "Guardrail", "DatasetSource", "MeasurementSource",
    "DatasetRequest", "Questionnaire", "LikertItem", "FreeTextQuestion",
    "PublicPilot", "HowToTakePart", "PublicConsent", "Amendment",
    "PublicPrototype", "PublicAuthority", "PublicZone", "PublicDataUse",
    "AuthorityPublic", "AuthorityCreate", "OrganizationPublic", "OrganizationCreate",
    "UserPublic", "UserCreate", "UserUpdate", "ApiKeyPublic", "ApiKeyCreate", "ApiKeyCreated",
    "Token",
    "JobPublic", "AuditLogPublic", "EvaluationPublic", "EvaluationRequest",
    # citizens: testers, consent texts, enrollments
    "SignUp", "PseudonymousCreate", "TesterPublic", "PseudonymousCreated", "CodeBody",
    "ProfileUpdate", "Erasure", "MediatedErasure", "ConsentCreate", "ConsentPublic",
    "EnrollmentCreate", "MediatedEnrollment", "MediatedWithdrawal", "EnrollmentState",
    "EnrollmentPublic",
    # feedback: submissions, what the city reads, closing the loop
    "Submission", "MediatedSubmission", "Point", "FeedbackReceipt", "FeedbackIndividual",
    "KeepBody", "MediatedKeepBody", "KeepAnswerPublic", "OutcomeCreate", "OutcomePublic",
    # sandbox: grants, access to extracts, the access log, measurements (the multipart form
    # is named by FastAPI after the route)
    "GrantPublic", "Revocation", "LinkRequest", "Link", "Links", "CredentialRequest",
    "Credentials", "AccessEventPublic", "MeasurementPublic", "UploadRequest", "UploadTicket",
    "Body_upload_measurement_api_v1_pilots__pilot_id__measurements_post",
    # what the workspace pages read: drafts, history, power, the charts, problem types
    "ProtocolDraft", "HistoryEntry", "PowerPreview", "EvaluationSeries", "KpiSeries",
    "SeriesPoint", "ForestRow", "Method", "MeasurementWithdrawal", "ProblemType",
]
# Generic pages (lab.common.Page) are named after their item type, e.g. `Page_ZonePublic_`.
DESCRIBED_PREFIXES = ("Page_",)


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home: Path = tmp_path_factory.mktemp("openapi")
    app = create_app(LabSettings(home=home, env="test", secret_key="x" * 40))
    spec = app.openapi()
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def _description(prop: dict[str, Any]) -> str:
    # Pydantic puts the field's description on the property itself, also next to a `$ref`,
    # `allOf`, `anyOf` (nullable) or `oneOf` (discriminated union).
    value = prop.get("description")
    return value.strip() if isinstance(value, str) else ""


def test_listed_schemas_exist(schemas: dict[str, Any]) -> None:
    missing = [name for name in DESCRIBED if name not in schemas]
    assert not missing, f"schemas not in the OpenAPI document (renamed?): {missing}"
    assert any(name.startswith(DESCRIBED_PREFIXES) for name in schemas)


def test_every_property_is_described(schemas: dict[str, Any]) -> None:
    names = [n for n in schemas if n in DESCRIBED or n.startswith(DESCRIBED_PREFIXES)]
    undescribed = [f"{name}.{prop}"
                   for name in sorted(names)
                   for prop, body in (schemas[name].get("properties") or {}).items()
                   if not _description(body)]
    assert not undescribed, (f"{len(undescribed)} properties without a description: "
                             + ", ".join(undescribed))


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(LabSettings(home=tmp_path_factory.mktemp("problems"), env="test",
                                 secret_key="x" * 40))
    document: dict[str, Any] = app.openapi()
    return document


def test_every_operation_declares_its_problems_as_problem_json(spec: dict[str, Any]) -> None:
    """Issue 13: generated clients learn the error shape from the document."""
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = ["404", "409", "422"] + (["401", "403"] if operation.get("security") else [])
            for code in codes:
                content = operation["responses"].get(code, {}).get("content", {})
                schema = content.get("application/problem+json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Problem"} or len(content) != 1:
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing[:10]
    assert sum(1 for ops in spec["paths"].values() for op in ops.values()
               if "401" in op["responses"]) > 50
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_the_problem_schema_describes_what_the_api_sends(spec: dict[str, Any],
                                                         tmp_path: Path) -> None:
    import jsonschema
    from fastapi.testclient import TestClient

    problem = spec["components"]["schemas"]["Problem"]
    app = create_app(LabSettings(home=tmp_path, env="test", secret_key="x" * 40),
                     check_migrations=False)
    with TestClient(app) as client:
        unauthenticated = client.get("/api/v1/me")
        invalid = client.get("/api/v1/public/pilots", params={"limit": 0})
    for response, status in ((unauthenticated, 401), (invalid, 422)):
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        jsonschema.validate(response.json(), problem)
    assert all(prop.get("description") for prop in problem["properties"].values())
