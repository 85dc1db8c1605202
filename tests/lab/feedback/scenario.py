"""A running pilot with a full questionnaire, a consent text, testers and mediators: the
setting of the citizen and feedback tests."""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from lab.auth import security
from lab.auth.models import Role, User
from lab.citizens import codes
from lab.citizens import models as citizen_models
from lab.citizens import service as citizens
from lab.citizens.models import ConsentCreate, TesterKind
from lab.directory.models import Authority
from lab.pilots import lifecycle
from lab.pilots import service as pilots
from lab.pilots.models import Decision, PilotCreate
from lab.settings import LabSettings
from tests.factories import PASSWORD, make_authority, make_user
from tests.lab.pilots.scenario import Territory, draft_body, make_territory

QUESTIONNAIRE: dict[str, Any] = {
    "likert": [{"id": "comfort", "text_fr": "Je me sens en sécurité.", "text_en": "I feel safe."},
               {"id": "light", "text_fr": "La lumière suffit.", "text_en": "The light is enough."}],
    "nps": True,
    "sus": True,
    "free_text": [{"id": "remarks", "text_fr": "Vos remarques ?", "text_en": "Your remarks?"}],
}
_HASH = security.hash_password(PASSWORD)


@dataclass
class Setting:
    t: Territory
    pilot_id: uuid.UUID
    consent_version: int
    mediator: User  # of the commune, concerned by the pilot
    stranger_mediator: User  # of an authority the pilot does not concern
    stranger_authority: Authority


def running_pilot(session: Session, t: Territory, **changes: Any) -> uuid.UUID:
    """A pilot of the territory's startup, approved by both authorities and started."""
    body = draft_body(t, questionnaire=changes.pop("questionnaire", QUESTIONNAIRE), **changes)
    pilot = pilots.create_pilot(session=session, actor=t.startup,
                                data=PilotCreate.model_validate(body))
    lifecycle.submit(session=session, actor=t.startup, pilot_id=pilot.id)
    for city in (t.commune_city, t.epci_city):
        lifecycle.decide(session=session, actor=city, pilot_id=pilot.id,
                         decision=Decision.approved, comment="")
    lifecycle.start(session=session, actor=t.startup, pilot_id=pilot.id)
    return pilot.id


def publish_consent(session: Session, t: Territory, pilot_id: uuid.UUID) -> int:
    text = citizens.publish_consent(session=session, actor=t.commune_city, pilot_id=pilot_id,
                                    data=ConsentCreate(
                                        text_fr="Vos réponses servent à évaluer le pilote.",
                                        text_en="Your answers are used to evaluate the pilot."))
    return text.version


def make_setting(session: Session) -> Setting:
    t = make_territory(session)
    pilot_id = running_pilot(session, t)
    version = publish_consent(session, t, pilot_id)
    stranger = make_authority(session)
    return Setting(t, pilot_id, version, make_user(session, Role.mediator, authority=t.commune),
                   make_user(session, Role.mediator, authority=stranger), stranger)


def make_citizen(session: Session, *, name: str | None = None, age_band: str | None = None,
                 digital_comfort: str | None = None) -> User:
    """A web tester (built directly: the sign-up route has its own tests)."""
    user = User(email=f"citizen-{uuid.uuid4().hex[:8]}@mail.example", role=Role.citizen,
                hashed_password=_HASH)
    session.add(user)
    session.flush()
    session.add(citizen_models.Tester(id=user.id, kind=TesterKind.web, user_id=user.id,
                       pseudonym=codes.new_pseudonym(), name=name, age_band=age_band,
                       digital_comfort=digital_comfort))
    session.commit()
    return user


def enrolled_citizen(session: Session, s: Setting, **profile: Any) -> User:
    user = make_citizen(session, **profile)
    tester = session.get(citizen_models.Tester, user.id)
    assert tester is not None
    citizens.enroll(session=session, actor=user, tester=tester, pilot_id=s.pilot_id,
                    consent_version=s.consent_version)
    return user


def bearer(settings: LabSettings, user: User) -> dict[str, str]:
    """Authorization headers, minted directly (login has its own tests)."""
    token = security.create_access_token(user_id=user.id, role=str(user.role),
                                         secret=settings.jwt_secret(),
                                         lifetime=timedelta(minutes=15))
    return {"Authorization": f"Bearer {token.token}"}


def answers(**changes: Any) -> dict[str, Any]:
    """A complete, valid submission for QUESTIONNAIRE."""
    body: dict[str, Any] = {"likert": {"comfort": 4, "light": 5}, "nps": 9,
                            "sus": [4, 2, 4, 1, 5, 2, 4, 1, 5, 2],
                            "free_text": {"remarks": "Plus rassurant le soir."}}
    body.update(changes)
    return body


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def jpeg_with_gps(size: tuple[int, int] = (32, 24)) -> bytes:
    """A real JPEG carrying EXIF with a GPS position (Lyon) and a camera model."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 3000"  # Model
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 36.0), 3: "E", 4: (4.0, 50.0, 24.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (16, 16)) -> bytes:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jeanne Martin, 06 12 34 56 78")
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
