"""Assemble the routers; authentication is attached here, so a route is protected by default."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from lab import errors
from lab.annuaire import routes as annuaire
from lab.assets import routes as assets
from lab.audit import routes as audit
from lab.auth import routes as auth
from lab.citizens import routes as citizens
from lab.datasets import routes as datasets
from lab.deps import get_current_user
from lab.directory import routes as directory
from lab.evaluations import routes as evaluations
from lab.feedback import routes as feedback
from lab.health import routes as health
from lab.jobs import routes as jobs
from lab.opendata import routes as opendata
from lab.pilots import routes as pilots
from lab.places import routes as places
from lab.prototypes import routes as prototypes
from lab.publication import routes as publication
from lab.reports import routes as reports
from lab.sandbox import routes as sandbox
from lab.street import routes as street
from lab.zones import routes as zones

API_PREFIX = "/api/v1"

OPEN_PATHS = (
    "/public/results",  # results of evaluated pilots, disclosure-controlled
    "/public/results.csv",  # the same, as CSV
    "/public/results/{pilot_id}",  # one pilot's results
    "/public/catalog",  # DCAT catalog of the open datasets only
    "/public/datasets/{dataset_id}/data.parquet",  # open data download (404 unless open)
    "/public/datasets/{dataset_id}/data.csv",  # the same, as CSV
    "/public/directory",  # organizations taking part (contact only if they chose)
    "/public/zones",  # district boundaries, drawn under the pilots on the public map
    "/public/places",  # where to take part in person, for people without an account
    "/public/reports",  # anyone reports a problem (rate-limited per address)
    "/public/reports/assets",  # a pilot's assets, to pick the one with a problem
    "/public/reports/{receipt}",  # and follows it with the receipt code
)

# Routes reachable without credentials, each with its reason in its module.
PUBLIC_PATHS = frozenset(
    {f"{API_PREFIX}/health", f"{API_PREFIX}/auth/token", f"{API_PREFIX}/public/pilots",
     f"{API_PREFIX}/public/testers", f"{API_PREFIX}/problem-types",
     # A running pilot's plain-language item and its QR code: citizens read and print them.
     f"{API_PREFIX}/public/pilots/{{pilot_id}}", f"{API_PREFIX}/public/pilots/{{pilot_id}}/qr.svg",
     f"{API_PREFIX}/public/pilots/{{pilot_id}}/qr.png",
     # The quick feedback page behind the QR code: passers-by answer without an account
     # (signed single-use form tokens, a honeypot and rate limits in lab/street/service.py).
     "/q/{code}"}
    # The open territory: published results, open data, the directory, zones, places and problem
    # reports are for anyone, without an account (reasons in each module).
    | {f"{API_PREFIX}{path}" for path in OPEN_PATHS}
)


def build_router() -> APIRouter:
    """The versioned API: public routers first, then everything behind authentication."""
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health.public_router)
    api.include_router(auth.public_router)
    api.include_router(pilots.public_router)
    api.include_router(citizens.public_router)
    api.include_router(errors.router)
    api.include_router(publication.public_router)
    api.include_router(opendata.public_router)
    api.include_router(annuaire.public_router)
    api.include_router(places.public_router)
    api.include_router(zones.public_router)
    api.include_router(reports.public_router)
    # Authenticates in the route itself (why: in lab/feedback/routes.py).
    api.include_router(feedback.submit_router)
    authenticated = [Depends(get_current_user)]
    for router in (auth.router, auth.admin_router, directory.router, directory.admin_router,
                   audit.router, jobs.router, jobs.admin_router, zones.router, assets.router,
                   prototypes.router, pilots.router, evaluations.router, datasets.router,
                   citizens.router, citizens.consent_router, feedback.router,
                   sandbox.router, sandbox.events_router, sandbox.workspace_router,
                   publication.router, annuaire.router, places.router, reports.router,
                   street.router):
        api.include_router(router, dependencies=authenticated)
    return api


__all__ = ["API_PREFIX", "PUBLIC_PATHS", "build_router"]
