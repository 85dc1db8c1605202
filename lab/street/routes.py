"""The quick feedback page at `/q/{code}` (public, plain HTML) and the city's A4 poster."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from lab.deps import CurrentUser, SessionDep
from lab.exceptions import NotFound
from lab.settings import LabSettings
from lab.street import codes, pages, poster, service
from lab.street.pages import TEXT

# Public: a passer-by answers from a QR code without an account; abuse is limited by signed
# single-use form tokens, a honeypot and rate limits per address and per pilot.
# HTML pages for people in the street, not part of the API document: their refusals are
# pages too, not problem+json.
page_router = APIRouter(tags=["street"], include_in_schema=False)
router = APIRouter(prefix="/pilots", tags=["street"])
MAX_FORM_BYTES = 32 * 1024
_HTML: dict[str, Any] = {"content": {"text/html": {}}}


def _settings(request: Request) -> LabSettings:
    settings: LabSettings = request.app.state.settings
    return settings


Settings = Annotated[LabSettings, Depends(_settings)]


async def _form(request: Request) -> dict[str, str]:
    # Read here (async) so the route itself stays a plain `def` on a worker thread.
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return {"_too_large": "1"}
    try:
        form = await request.form(max_files=0, max_fields=100)
    except Exception:  # a malformed body is answered like an expired form
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str)}


Form = Annotated[dict[str, str], Depends(_form)]


def about_url(settings: LabSettings, pilot_id: uuid.UUID) -> str:
    """The citizen pilot page in the UI."""
    return f"{settings.resolved_ui_public_url}/running?pilot={pilot_id}"


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    base = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "form-action 'self'; img-src 'self'",
            "Referrer-Policy": "no-referrer"}
    return HTMLResponse(body, status_code=status, headers=base | (headers or {}))


def _unknown(lang: pages.Lang, code: str) -> HTMLResponse:
    return _html(pages.message_page(lang, code, "unknown_title", TEXT["unknown"][lang], []), 404)


@page_router.get("/q/{code}", response_class=HTMLResponse, responses={200: _HTML})
def quick_page(code: str, request: Request, session: SessionDep, settings: Settings,
               lang: str | None = None) -> HTMLResponse:
    """The quick feedback page of a pilot (plain HTML, no JavaScript, FR/EN)."""
    language = pages.pick_language(lang, request.headers.get("accept-language"))
    try:
        pilot = service.pilot_for_code(session=session, code=code)
    except NotFound:
        return _unknown(language, code)
    short = codes.short_code(pilot.id)
    if pilot.status != "running":
        return _html(pages.message_page(language, short, "closed_title",
                                        TEXT["closed"][language],
                                        [(about_url(settings, pilot.id),
                                          TEXT["about"][language])]))
    form = service.new_form(settings=settings, pilot=pilot)
    return _html(pages.form_page(form, language, about_url(settings, pilot.id)))


@page_router.post("/q/{code}", response_class=HTMLResponse, responses={200: _HTML})
def quick_answer(code: str, request: Request, session: SessionDep, settings: Settings,
                 values: Form) -> HTMLResponse:
    """Send one answer from the quick page: a thank-you page, or a page saying why not."""
    language = pages.pick_language(values.get("lang"), request.headers.get("accept-language"))
    again = f"/q/{code}?lang={language}"
    if "_too_large" in values:
        return _html(pages.message_page(language, code, "refused_title",
                                        TEXT["expired"][language],
                                        [(again, TEXT["again"][language])]), 413)
    address = request.client.host if request.client else "unknown"
    try:
        result = service.answer(session=session, settings=settings, code=code, values=values,
                                address=address)
    except NotFound:
        return _unknown(language, code)
    except service.Refused as refused:
        message = {"expired": TEXT["expired"][language],
                   "replayed": TEXT["replayed"][language],
                   "honeypot": TEXT["honeypot_refused"][language],
                   "closed": TEXT["closed"][language],
                   "rate": TEXT["rate"][language].format(
                       minutes=settings.street_window_minutes)}[refused.reason]
        title = "closed_title" if refused.reason == "closed" else "refused_title"
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
        link = ((about_url(settings, refused.pilot_id), TEXT["about"][language])
                if refused.reason == "closed" else (again, TEXT["again"][language]))
        return _html(pages.message_page(language, code, title, message, [link]),
                     refused.status, headers)
    if isinstance(result, service.QuickForm):
        return _html(pages.form_page(result, language, about_url(settings, result.pilot.id)),
                     422)
    pilot_id = result.receipt["pilot_id"]
    return _html(pages.message_page(language, code, "thanks_title", TEXT["thanks"][language],
                                    [(about_url(settings, pilot_id), TEXT["about"][language])]))


@router.get("/{pilot_id}/poster", response_class=HTMLResponse, responses={200: _HTML})
def pilot_poster(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                 settings: Settings, lang: str = "fr") -> HTMLResponse:
    """A printable A4 poster (HTML, print-ready): title, one sentence, the QR code, the
    address in words and the authority's desk phone. City members concerned and the
    startup running the pilot."""
    language: pages.Lang = "en" if lang == "en" else "fr"
    body = poster.render(session=session, settings=settings, actor=user, pilot_id=pilot_id,
                         lang=language)
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


__all__ = ["about_url", "page_router", "router"]
