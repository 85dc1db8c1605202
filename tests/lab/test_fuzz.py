"""Schemathesis against the app, as an administrator and as a startup (issue 13): no input
the OpenAPI document allows, nor one it forbids (positive and negative examples), gets a
5xx, and every response matches the document (status code, content type, body schema).

In-process (ASGI) on the test database fixtures, so CI runs it on SQLite and on PostgreSQL;
a few examples per operation keep it within the suite's budget. (Schemathesis's own pytest
loader does not run under this pytest; its schema, strategies and checks are used as is.)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from lab.auth.models import Role
from tests.factories import login, make_user

EXAMPLES_PER_OPERATION = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def _fuzz(operation: Any, headers: dict[str, str], statuses: Counter[int]) -> None:
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    def run(case: Any) -> None:
        # A job run inline (the self-check) may outlast the default 10 s on a busy machine.
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=120)
        statuses[response.status_code] += 1

    run()


@pytest.mark.parametrize("role", [Role.admin, Role.startup], ids=["admin", "startup"])
def test_no_server_error_nor_schema_violation(app: FastAPI, session: Session, role: Role,
                                              s3_app: dict[str, str]) -> None:
    with TestClient(app) as client:
        headers = login(client, make_user(session, role))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _fuzz(operation, headers, statuses)
        except Exception as exc:  # noqa: BLE001 - every operation is tried, all are reported
            failures.append(f"{operation.label}: {str(exc)[:800]}")
    assert operations > 50
    assert not failures, "\n\n".join(failures)
    # The fuzzing reached the routes: answers, and refusals of what it made up.
    assert sum(statuses.values()) > 2 * operations, statuses
    assert any(200 <= s < 300 for s in statuses) and 422 in statuses, statuses
