"""An evaluated pilot: the feedback setting, answers planted, completed, evaluation stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.common import utcnow
from lab.evaluations.models import Evaluation, EvaluationStatus
from lab.pilots import lifecycle
from lab.pilots.models import Pilot, PilotStatus
from lab.settings import LabSettings
from tests.lab.feedback.scenario import Setting, answers, bearer, enrolled_citizen, key

# The primary KPI's estimate as the evaluation job stores it (EffectResult.to_dict()).
ESTIMATE: dict[str, Any] = {
    "design": "did", "effect": -12.5, "relative_effect": -0.18, "ci_low": -20.0,
    "ci_high": -5.0, "relative_ci_low": -0.29, "relative_ci_high": -0.07, "p_value": 0.003,
    "se": 3.8, "baseline_mean": 69.4, "method": "did_panel", "n_obs": 300, "warnings": [],
    "reason": None}


def plant_feedback(client: TestClient, session: Session, settings: LabSettings, s: Setting,
                   *, web: int, mediated: int, nps: int = 9) -> None:
    """`web` testers answer online; a mediator records `mediated` answers by phone."""
    for i in range(web):
        user = enrolled_citizen(session, s)
        response = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback",
                               json=answers(nps=(nps + i) % 11),
                               headers={**bearer(settings, user), **key()})
        assert response.status_code == 201, response.text
    for _ in range(mediated):
        response = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback/mediated",
                               json=answers(channel="phone", nps=2),
                               headers={**bearer(settings, s.mediator), **key()})
        assert response.status_code == 201, response.text


def evaluate(session: Session, s: Setting, estimate: dict[str, Any] | None = None,
             recommendation: str = "scale_up") -> Evaluation:
    """Complete the pilot and store its final evaluation as the job leaves it."""
    lifecycle.complete(session=session, actor=s.t.startup, pilot_id=s.pilot_id)
    pilot = session.get(Pilot, s.pilot_id)
    assert pilot is not None and pilot.protocol_hash is not None
    evaluation = Evaluation(
        pilot_id=pilot.id, number=1, status=EvaluationStatus.done,
        protocol_version=pilot.protocol_version, protocol_hash=pilot.protocol_hash,
        recommendation=recommendation, finished_at=utcnow(),
        results={"design": "did", "primary_kpi": "energy_kwh", "recommendation": recommendation,
                 "kpis": {"energy_kwh": {"label": "energy_kwh", "aggregation": "sum",
                                         "result": estimate or ESTIMATE}}})
    pilot.status = PilotStatus.evaluated
    session.add_all([evaluation, pilot])
    session.commit()
    return evaluation


