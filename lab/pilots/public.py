"""What citizens see of pilots: running ones, in plain language, with their area, what they
use and who approved them; and the QR code of their quick feedback page."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from lab.citizens import service as citizens
from lab.common import Page, PageParams
from lab.datasets.models import Dataset
from lab.directory.models import Authority, Organization
from lab.exceptions import NotFound
from lab.pilots.models import Approval, Decision, Pilot, PilotStatus
from lab.pilots.protocol import Protocol
from lab.prototypes.models import Prototype
from lab.settings import LabSettings
from lab.street import qr
from lab.street.poster import quick_url
from lab.zones import service as zones
from lab.zones.models import PublicZone, Zone

# Running pilots are few (tens in a territory); the filters run over at most this many.
MAX_RUNNING = 2000
_NOT_WORD = re.compile(r"[\W_]+")


class PublicConsent(BaseModel):
    version: int = Field(description="Version of the consent text a tester accepts")
    text_fr: str = Field(description="The consent text, in French")
    text_en: str = Field(description="The consent text, in English")


class HowToTakePart(BaseModel):
    open: bool = Field(description="Whether testers can enroll now (a consent text is "
                                   "published)")
    text_fr: str = Field(description="How to take part, online or through a mediator, in "
                                     "French")
    text_en: str = Field(description="How to take part, online or through a mediator, in "
                                     "English")
    instructions_fr: str = Field("", description="The city's practical instructions (where, "
                                                 "when, whom to call), in French; empty if none")
    instructions_en: str = Field("", description="The city's practical instructions, in "
                                                 "English; empty if none")
    in_person_at: list[str] = Field([], description="The authorities concerned by the pilot: "
                                                    "at their front desks a mediator enrolls "
                                                    "testers and records feedback")


class PublicPrototype(BaseModel):
    name: str = Field(description="Name of the product or service being tested")
    domain: str = Field(description="Subject area: mobility, energy, lighting, waste…")
    description: str = Field(description="What the prototype does and how it is deployed")


class PublicAuthority(BaseModel):
    id: uuid.UUID = Field(description="Unique identifier of the authority")
    name: str = Field(description="Official name of the authority, e.g. Ville de Lyon")
    level: str = Field(description="Tier of government: commune, epci, departement, region or "
                                   "other")
    phone: str | None = Field(description="Phone number of its front desk, or null")


class PublicDataUse(BaseModel):
    dataset_id: uuid.UUID = Field(description="The catalog dataset the pilot uses")
    name: str = Field(description="Name of the dataset")
    authority: str = Field(description="Name of the authority that owns the dataset")
    columns: list[str] = Field(description="The columns the pilot may read (never the rest)")
    zones: list[str] = Field(description="The zone codes the pilot may read")
    window_start: datetime = Field(description="Start of the time window read (ISO 8601, UTC)")
    window_end: datetime = Field(description="End of the time window read (ISO 8601, UTC)")


class PublicPilot(BaseModel):
    id: uuid.UUID = Field(description="Unique identifier of the pilot")
    title: str = Field(description="Short title of the pilot")
    summary: str = Field(description="Plain-language summary of what is being tested")
    starts_at: datetime = Field(description="When the field phase starts (ISO 8601, UTC)")
    ends_at: datetime = Field(description="When the field phase ends (ISO 8601, UTC)")
    area: dict[str, Any] = Field(
        description="GeoJSON FeatureCollection of the treated zones, in WGS84")
    how_to_take_part: HowToTakePart = Field(
        description="How citizens can join as testers, online or in person")
    consent: PublicConsent | None = Field(
        default=None, description="The current consent text, or null until it is published")
    prototype: PublicPrototype = Field(description="What is tested")
    startup: str = Field(description="Name of the startup or organization running the pilot")
    zones: list[PublicZone] = Field(
        description="Where: the treated zones, with their names and geometries")
    authorities: list[PublicAuthority] = Field(
        description="The communes and other authorities concerned (owners of what it uses)")
    approved_by: list[str] = Field(
        description="Names of the authorities that approved the current protocol")
    data_used: list[PublicDataUse] = Field(
        description="What data it uses: dataset names and the scope (not the data)")
    quick_feedback_url: str = Field(
        description="Absolute address of the quick feedback page (no account, no JavaScript)")
    qr_code_url: str = Field(
        description="Absolute address of the QR code of quick_feedback_url, as SVG (replace "
                    "`.svg` by `.png` for a PNG image)")


def _how(session: Session, pilot: Pilot) -> tuple[HowToTakePart, PublicConsent | None]:
    consent = citizens.current_consent(session, pilot.id)
    places = sorted(session.exec(select(Authority.name).join(
        Approval, col(Approval.authority_id) == col(Authority.id))
        .where(Approval.pilot_id == pilot.id).distinct()).all())
    where = ", ".join(places)
    if consent is None:
        return HowToTakePart(
            open=False, in_person_at=places,
            text_fr="Les inscriptions ouvriront quand le texte de consentement sera publié.",
            text_en="Enrollment opens once the consent text is published."), None
    how = HowToTakePart(
        open=True, in_person_at=places,
        instructions_fr=consent.instructions_fr, instructions_en=consent.instructions_en,
        text_fr=("Créez un compte testeur, lisez le texte de consentement ci-dessous et "
                 "acceptez-le pour donner votre avis en ligne. Sans internet : appelez ou "
                 f"passez à l'accueil ({where}) ; un médiateur vous inscrit avec un code "
                 "personnel et note vos réponses. Vous pouvez vous retirer à tout moment."),
        text_en=("Create a tester account, read the consent text below and accept it to give "
                 "feedback online. Without internet: call or visit the front desk "
                 f"({where}); a mediator registers you with a personal code and records your "
                 "answers. You may withdraw at any time."))
    return how, PublicConsent(version=consent.version, text_fr=consent.text_fr,
                              text_en=consent.text_en)


def _fold(text: str) -> str:
    """Lower case, without accents, words separated by one space ("Gratte-Ciel" → "gratte
    ciel"), so a typed place name matches however it is spelt."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def _item(session: Session, settings: LabSettings, pilot: Pilot) -> PublicPilot:
    protocol = Protocol.model_validate(pilot.protocol)
    found = zones.zones_by_code(session=session, codes=protocol.treated_zones)
    concerned = {a.id: a for a in session.exec(select(Authority).join(
        Approval, col(Approval.authority_id) == col(Authority.id))
        .where(Approval.pilot_id == pilot.id).distinct())}
    owners = {a.id: a for a in session.exec(select(Authority).where(col(Authority.id).in_(
        {z.authority_id for z in found.values()} - concerned.keys())))} | concerned
    approved = session.exec(select(Authority.name).join(
        Approval, col(Approval.authority_id) == col(Authority.id))
        .where(Approval.pilot_id == pilot.id, Approval.protocol_version == pilot.protocol_version,
               Approval.decision == Decision.approved).distinct()).all()
    prototype = session.get(Prototype, pilot.prototype_id)
    organization = session.get(Organization, pilot.organization_id)
    datasets = {d.id: d for d in session.exec(select(Dataset).where(
        col(Dataset.id).in_([r.dataset_id for r in protocol.datasets])))}
    dataset_owners = dict(session.exec(select(Authority.id, Authority.name).where(
        col(Authority.id).in_({d.authority_id for d in datasets.values()}))).all())
    features = [{"type": "Feature", "geometry": z.geometry,
                 "properties": {"code": z.code, "name": z.name}} for z in found.values()]
    how, consent = _how(session, pilot)
    return PublicPilot(
        id=pilot.id, title=pilot.title, summary=pilot.public_summary,
        starts_at=protocol.pilot.start, ends_at=protocol.pilot.end,
        area={"type": "FeatureCollection", "features": features},
        how_to_take_part=how, consent=consent,
        prototype=PublicPrototype(name=prototype.name if prototype else "",
                                  domain=prototype.domain if prototype else "",
                                  description=prototype.description if prototype else ""),
        startup=organization.name if organization else "",
        zones=[PublicZone(code=z.code, name=z.name, geometry=z.geometry,
                          authority=owners[z.authority_id].name
                          if z.authority_id in owners else "") for z in found.values()],
        authorities=[PublicAuthority(id=a.id, name=a.name, level=str(a.level), phone=a.phone)
                     for a in sorted(owners.values(), key=lambda a: a.name)],
        approved_by=sorted(approved),
        data_used=[PublicDataUse(dataset_id=r.dataset_id, name=datasets[r.dataset_id].name,
                                 authority=dataset_owners.get(
                                     datasets[r.dataset_id].authority_id, ""),
                                 columns=list(r.columns), zones=list(r.zones),
                                 window_start=r.window.start, window_end=r.window.end)
                   for r in protocol.datasets if r.dataset_id in datasets],
        quick_feedback_url=quick_url(settings, pilot.id),
        qr_code_url=f"{settings.resolved_public_url}/api/v1/public/pilots/{pilot.id}/qr.svg")


def _matching(session: Session, rows: list[tuple[uuid.UUID, dict[str, Any]]],
              q: str) -> set[uuid.UUID]:
    """Pilots whose treated zones' names or codes, or authorities' names, contain `q`."""
    needle = _fold(q.strip())
    codes = {p: set(protocol.get("treated_zones") or []) for p, protocol in rows}
    zone_rows = session.exec(select(Zone.code, Zone.name, Zone.authority_id).where(
        col(Zone.code).in_(set().union(*codes.values())))).all() if codes else []
    hit_codes = {c for c, name, _a in zone_rows if needle in _fold(name) or needle in _fold(c)}
    owner_of = {c: a for c, _n, a in zone_rows}
    names = dict(session.exec(select(Authority.id, Authority.name)).all()) if rows else {}
    by_pilot: dict[uuid.UUID, set[uuid.UUID]] = {}
    for pilot_id, authority_id in session.exec(select(Approval.pilot_id, Approval.authority_id)
                                               .where(col(Approval.pilot_id).in_(codes))):
        by_pilot.setdefault(pilot_id, set()).add(authority_id)
    out = set()
    for pilot_id, zone_codes in codes.items():
        authorities = by_pilot.get(pilot_id, set()) | {owner_of[c] for c in zone_codes
                                                        if c in owner_of}
        if zone_codes & hit_codes or any(needle in _fold(names.get(a, ""))
                                         for a in authorities):
            out.add(pilot_id)
    return out


def running_pilots(*, session: Session, settings: LabSettings, page: PageParams,
                   authority: uuid.UUID | None = None, domain: str | None = None,
                   q: str | None = None) -> Page[PublicPilot]:
    """Running pilots, newest first, filtered by an authority concerned, the prototype's
    domain and a place name (zones' and authorities' names, accents and case ignored)."""
    query = (select(Pilot.id, Pilot.protocol).join(Prototype, col(Prototype.id)
                                                   == col(Pilot.prototype_id))
             .where(Pilot.status == PilotStatus.running))
    if domain:
        query = query.where(func.lower(Prototype.domain) == domain.strip().lower())
    if authority is not None:
        query = query.where(col(Pilot.id).in_(
            select(Approval.pilot_id).where(Approval.authority_id == authority)))
    rows = [(p, dict(protocol)) for p, protocol in session.exec(
        query.order_by(col(Pilot.started_at).desc(), col(Pilot.id)).limit(MAX_RUNNING))]
    if q and q.strip():
        keep = _matching(session, rows, q)
        rows = [r for r in rows if r[0] in keep]
    chosen = [p for p, _ in rows[page.offset:page.offset + page.limit]]
    pilots = {p.id: p for p in session.exec(select(Pilot).where(col(Pilot.id).in_(chosen)))}
    return Page(items=[_item(session, settings, pilots[p]) for p in chosen], total=len(rows),
                limit=page.limit, offset=page.offset)


def running_pilot(*, session: Session, settings: LabSettings,
                  pilot_id: uuid.UUID) -> PublicPilot:
    """One running pilot in plain language; other pilots are not public (404)."""
    pilot = session.get(Pilot, pilot_id)
    if pilot is None or pilot.status != PilotStatus.running:
        raise NotFound("No running pilot with this id.")
    return _item(session, settings, pilot)


def qr_code(*, session: Session, settings: LabSettings, pilot_id: uuid.UUID,
            kind: str) -> bytes:
    """The QR code of a running pilot's quick page, as SVG or PNG bytes."""
    pilot = session.get(Pilot, pilot_id)
    if pilot is None or pilot.status != PilotStatus.running:
        raise NotFound("No running pilot with this id.")
    url = quick_url(settings, pilot.id)
    return qr.svg(url, title=pilot.title).encode() if kind == "svg" else qr.png(url)


__all__ = ["MAX_RUNNING", "HowToTakePart", "PublicAuthority", "PublicConsent", "PublicDataUse",
           "PublicPilot", "PublicPrototype", "PublicZone", "qr_code", "running_pilot",
           "running_pilots"]
