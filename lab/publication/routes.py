"""Published results (public, JSON and CSV) and the city's hold on publication."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.publication import service
from lab.publication.models import HoldBody, PublicationStatus, PublicResult, PublicResultDetail

# Public: results of evaluated pilots are published for anyone, machine-readable, and pass
# the same disclosure control as what a startup sees.
public_router = APIRouter(prefix="/public/results", tags=["public"])
router = APIRouter(prefix="/pilots/{pilot_id}/publication", tags=["publication"])
Pagination = Annotated[PageParams, Depends(page_params)]


@public_router.get("", response_model=Page[PublicResult])
def list_results(session: SessionDep, page: Pagination) -> Page[PublicResult]:
    """Results of evaluated pilots, most recently completed first."""
    return service.list_results(session=session, page=page)


@public_router.get(".csv", response_class=Response,
                   responses={200: {"content": {"text/csv": {}}}})
def results_csv(session: SessionDep, page: Pagination) -> Response:
    """The same page of results as CSV (withheld numbers are empty); `X-Total-Count` header."""
    result = service.list_results(session=session, page=page)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(service.CSV_COLUMNS)
    writer.writerows(service.csv_row(r) for r in result.items)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"X-Total-Count": str(result.total),
                             "Content-Disposition": 'attachment; filename="results.csv"'})


@public_router.get("/{pilot_id}", response_model=PublicResultDetail)
def get_result(pilot_id: uuid.UUID, session: SessionDep) -> PublicResultDetail:
    """One evaluated pilot's results, with its disclosure-controlled feedback summary."""
    return service.get_result(session=session, pilot_id=pilot_id)


@router.get("", response_model=PublicationStatus)
def get_publication(pilot_id: uuid.UUID, user: CurrentUser,
                    session: SessionDep) -> PublicationStatus:
    """Whether the pilot's results are public, or held back and why."""
    return service.get_status(session=session, actor=user, pilot_id=pilot_id)


@router.post("", response_model=PublicationStatus)
def set_publication(pilot_id: uuid.UUID, data: HoldBody, user: CurrentUser,
                    session: SessionDep) -> PublicationStatus:
    """Hold the results back with a reason, or release them (audit-logged)."""
    return service.set_hold(session=session, actor=user, pilot_id=pilot_id, data=data)


__all__ = ["public_router", "router"]
