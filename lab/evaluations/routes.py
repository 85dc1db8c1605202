"""Evaluations of a pilot: run one (a job), read results and reports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.evaluations import series, service
from lab.evaluations.models import EvaluationPublic, EvaluationRequest
from lab.exceptions import NotFound, ServiceUnavailable
from lab.objectstore import bucket_prefix
from storage import bucket_name, get_bytes

router = APIRouter(prefix="/pilots/{pilot_id}/evaluations", tags=["evaluations"])


@router.post("", response_model=EvaluationPublic, status_code=202)
def request_evaluation(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                       data: EvaluationRequest | None = None) -> EvaluationPublic:
    """Run the pilot's registered evaluation as a job; follow it at `/jobs/{job_id}`.

    Any departure from the registered plan (another design, a subset of KPIs, another time
    grain) is allowed but marks the evaluation exploratory.
    """
    evaluation = service.request_evaluation(session=session, actor=user, pilot_id=pilot_id,
                                            data=data or EvaluationRequest())
    return EvaluationPublic.model_validate(evaluation)


@router.get("", response_model=Page[EvaluationPublic])
def list_evaluations(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                     page: Annotated[PageParams, Depends(page_params)]
                     ) -> Page[EvaluationPublic]:
    """The pilot's evaluations, newest first."""
    result = service.list_evaluations(session=session, actor=user, pilot_id=pilot_id,
                                      page=page)
    return Page(items=[EvaluationPublic.model_validate(e) for e in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.get("/{evaluation_id}", response_model=EvaluationPublic)
def get_evaluation(pilot_id: uuid.UUID, evaluation_id: uuid.UUID, user: CurrentUser,
                   session: SessionDep) -> EvaluationPublic:
    """One evaluation: status, inputs, results per KPI, recommendation."""
    return EvaluationPublic.model_validate(service.get_evaluation(
        session=session, actor=user, pilot_id=pilot_id, evaluation_id=evaluation_id))


@router.get("/{evaluation_id}/series", response_model=series.EvaluationSeries)
def get_series(pilot_id: uuid.UUID, evaluation_id: uuid.UUID, user: CurrentUser,
               session: SessionDep) -> series.EvaluationSeries:
    """What the results charts draw: per KPI the treated vs control means per period with
    the pilot start, the forest plot (effect, interval, minimum effect of interest, role),
    and the method used and why as catalogue codes. 409 until the evaluation is done."""
    return series.evaluation_series(session=session, actor=user, pilot_id=pilot_id,
                                    evaluation_id=evaluation_id)


@router.get("/{evaluation_id}/report.{fmt}")
def get_report(pilot_id: uuid.UUID, evaluation_id: uuid.UUID, fmt: str, request: Request,
               user: CurrentUser, session: SessionDep) -> Response:
    """The stored report, `html` (readable) or `json`."""
    evaluation = service.get_evaluation(session=session, actor=user, pilot_id=pilot_id,
                                        evaluation_id=evaluation_id)
    key = {"html": evaluation.report_html_key, "json": evaluation.report_json_key}.get(fmt)
    if key is None:
        raise NotFound("No such report (yet): ask for report.html or report.json of a "
                       "finished evaluation.")
    client = request.app.state.storage
    if client is None:
        raise ServiceUnavailable("The object store is not configured.")
    body = get_bytes(client, bucket_name("reports", bucket_prefix()), key)
    media = "text/html; charset=utf-8" if fmt == "html" else "application/json"
    return Response(content=body, media_type=media)


__all__ = ["router"]
