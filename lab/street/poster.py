"""The printable A4 poster of a pilot's quick page: print-ready HTML with the QR code inline."""

from __future__ import annotations

import uuid
from html import escape

from sqlmodel import Session, col, select

from lab.auth.models import Role, User
from lab.citizens.access import is_concerned, load_pilot
from lab.directory.models import Authority
from lab.exceptions import NotFound
from lab.pilots.models import Approval
from lab.places.models import Place, PlacePilot
from lab.settings import LabSettings
from lab.street import codes, qr
from lab.street.pages import Lang

_TEXT: dict[str, dict[Lang, str]] = {
    "lead": {"fr": "Un service est testé ici. Donnez votre avis en une minute, sans compte.",
             "en": "A service is being tested here. Give your opinion in one minute, no "
                   "account needed."},
    "scan": {"fr": "Scannez le code avec votre téléphone", "en": "Scan the code with your phone"},
    "type": {"fr": "ou tapez l'adresse", "en": "or type the address"},
    "code": {"fr": "code du pilote", "en": "pilot code"},
    "phone": {"fr": "Pas de smartphone ? Appelez l'accueil de {name} au {phone} : un "
                    "médiateur note votre avis.",
              "en": "No smartphone? Call the front desk of {name} on {phone}: a mediator "
                    "records your opinion."},
    "desk": {"fr": "Pas de smartphone ? Passez à l'accueil de {names} : un médiateur note "
                   "votre avis.",
             "en": "No smartphone? Visit the front desk of {names}: a mediator records your "
                   "opinion."},
}
_CSS = ("@page{size:A4 portrait;margin:15mm}*{box-sizing:border-box}"
        "html,body{margin:0;font:14pt system-ui,sans-serif;color:#000;background:#fff}"
        ".sheet{width:180mm;margin:0 auto;display:flex;flex-direction:column;"
        "align-items:center;text-align:center;gap:5mm}h1{font-size:30pt;margin:4mm 0 0}"
        ".lead{font-size:18pt;margin:0}.qr svg{width:105mm;height:105mm}"
        ".scan{font-size:16pt;font-weight:bold;margin:0}.url{font-size:20pt;margin:0;"
        "font-family:ui-monospace,monospace;word-break:break-all}.phone{font-size:16pt;"
        "border-top:1mm solid #000;padding-top:5mm;margin-top:auto}"
        "@media print{.sheet{height:262mm;overflow:hidden;break-inside:avoid}}"
        "@media screen{body{background:#ddd}.sheet{background:#fff;padding:15mm;"
        "min-height:297mm;margin:5mm auto}}")


def quick_url(settings: LabSettings, pilot_id: uuid.UUID) -> str:
    """The absolute address of the pilot's quick page."""
    return f"{settings.resolved_public_url}/q/{codes.short_code(pilot_id)}"


def _may_print(session: Session, actor: User, pilot_id: uuid.UUID, organization_id: uuid.UUID
               ) -> bool:
    if actor.role == Role.startup:
        return actor.organization_id == organization_id
    return actor.role in (Role.city, Role.mediator, Role.admin) and is_concerned(
        session, actor, pilot_id)


def render(*, session: Session, settings: LabSettings, actor: User, pilot_id: uuid.UUID,
           lang: Lang) -> str:
    """The poster as one HTML page sized for A4 (the startup, or city members concerned)."""
    pilot = load_pilot(session, pilot_id)
    if not _may_print(session, actor, pilot_id, pilot.organization_id):
        raise NotFound("No such pilot.")
    url = quick_url(settings, pilot.id)
    desks = session.exec(select(Authority.name, Authority.phone).join(
        Approval, col(Approval.authority_id) == col(Authority.id))
        .where(Approval.pilot_id == pilot.id).distinct().order_by(col(Authority.name))).all()
    # The places that handle this pilot in person first (their phones), then the
    # authorities' front desks.
    places = session.exec(select(Place.name, Place.phone).join(
        PlacePilot, col(PlacePilot.place_id) == col(Place.id))
        .where(PlacePilot.pilot_id == pilot.id, col(Place.phone).is_not(None))
        .order_by(col(Place.name)).limit(2)).all()
    phones = [(n, p) for n, p in places if p] or [(n, p) for n, p in desks if p]
    if phones:
        desk = " ".join(escape(_TEXT["phone"][lang].format(name=n, phone=p)) for n, p in phones)
    else:
        desk = escape(_TEXT["desk"][lang].format(names=", ".join(n for n, _ in desks) or "—"))
    sentence = pilot.public_summary.split(". ")[0].strip() or _TEXT["lead"][lang]
    words = url.split("://", 1)[-1]
    code = codes.spaced(codes.short_code(pilot.id))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(pilot.title)}</title><style>{_CSS}</style></head><body>"
            f'<main class="sheet"><h1>{escape(pilot.title)}</h1>'
            f'<p class="lead">{escape(sentence.rstrip("."))}.</p>'
            f'<p class="lead">{_TEXT["lead"][lang]}</p>'
            f'<div class="qr" role="img" aria-label="QR code: {escape(url)}">'
            f"{qr.svg(url, scale=4, fit=True)}</div>"
            f'<p class="scan">{_TEXT["scan"][lang]}</p>'
            f'<p>{_TEXT["type"][lang]}</p><p class="url">{escape(words)}</p>'
            f'<p>{_TEXT["code"][lang]}{" :" if lang == "fr" else ":"} <strong>{code}</strong></p>'
            f'<p class="phone">{desk}</p></main></body></html>')


__all__ = ["quick_url", "render"]
