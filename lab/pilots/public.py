"""What citizens see of pilots: running ones, in plain language, with their area."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from lab.citizens import service as citizens
from lab.common import Page, PageParams
from lab.directory.models import Authority
from lab.pilots.models import Approval, Pilot, PilotStatus
from lab.pilots.protocol import Protocol
from lab.zones import service as zones


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


def running_pilots(*, session: Session, page: PageParams) -> Page[PublicPilot]:
    """Running pilots, newest first, with a GeoJSON FeatureCollection of their zones."""
    query = select(Pilot).where(Pilot.status == PilotStatus.running)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Pilot.started_at).desc(), col(Pilot.id))
                        .offset(page.offset).limit(page.limit))
    items = []
    for pilot in rows:
        protocol = Protocol.model_validate(pilot.protocol)
        found = zones.zones_by_code(session=session, codes=protocol.treated_zones)
        features = [{"type": "Feature", "geometry": z.geometry,
                     "properties": {"code": z.code, "name": z.name}} for z in found.values()]
        how, consent = _how(session, pilot)
        items.append(PublicPilot(id=pilot.id, title=pilot.title, summary=pilot.public_summary,
                                 starts_at=protocol.pilot.start, ends_at=protocol.pilot.end,
                                 area={"type": "FeatureCollection", "features": features},
                                 how_to_take_part=how, consent=consent))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


__all__ = ["HowToTakePart", "PublicConsent", "PublicPilot", "running_pilots"]
