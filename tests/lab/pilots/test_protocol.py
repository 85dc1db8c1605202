"""Invalid protocols get a 422 that names the field and the reason; nothing is stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.pilots.models import Pilot
from tests.factories import login
from tests.lab.pilots.scenario import Territory, draft_body, make_territory


def _kpi(t: Territory, column: str) -> list[dict[str, object]]:
    return [{"name": "k", "source": {"kind": "dataset", "dataset_id": str(t.dataset_id),
                                     "column": column},
             "direction": "decrease", "minimum_effect": 0.05, "success_threshold": 0.1,
             "primary": True}]


CASES = {
    "periods reversed": (lambda t: {"pilot": {"start": "2026-06-01T00:00:00Z",
                                              "end": "2026-03-01T00:00:00Z"}},
                         "ends before it starts"),
    "baseline overlaps pilot": (lambda t: {"baseline": {"start": "2026-01-01T00:00:00Z",
                                                        "end": "2026-04-01T00:00:00Z"}},
                                "baseline"),
    "overlapping zones": (lambda t: {"control_zones": ["Z-C1", "Z-T2"]}, "overlap"),
    "unknown zone": (lambda t: {"control_zones": ["Z-C1", "Z-NOWHERE"]}, "control_zones"),
    "unknown column": (lambda t: {"kpis": _kpi(t, "no_such_column")}, "source.column"),
    "non-numeric KPI column": (lambda t: {"kpis": _kpi(t, "sensor_id")}, "not numeric"),
    "scope outside pilot zones": (
        lambda t: {"datasets": [{"dataset_id": str(t.dataset_id), "columns": ["energy_kwh"],
                                 "zones": ["Z-C2"],
                                 "window": {"start": "2026-01-01T00:00:00Z",
                                            "end": "2026-02-01T00:00:00Z"}}]},
        "datasets[0].zones"),
    "no primary KPI": (lambda t: {"kpis": [{**_kpi(t, "energy_kwh")[0], "primary": False}]},
                       "primary"),
    "naive dates": (lambda t: {"baseline": {"start": "2026-01-01T00:00:00",
                                            "end": "2026-02-01T00:00:00"}}, "time zone"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_protocol_is_refused_naming_the_field(client: TestClient, session: Session,
                                                      case: str) -> None:
    t = make_territory(session)
    changes, expected = CASES[case]
    response = client.post("/api/v1/pilots", headers=login(client, t.startup),
                           json=draft_body(t, **changes(t)))
    assert response.status_code == 422, response.text
    body = response.json()
    text = body["detail"] + " ".join(e["field"] for e in body.get("errors", []))
    assert expected in text, body
    assert session.exec(select(func.count()).select_from(Pilot)).one() == 0
