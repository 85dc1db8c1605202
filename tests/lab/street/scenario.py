"""A running pilot with the quick page's questions (one rating, one comment), and helpers to
read and send its form."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from lab.feedback.models import Feedback
from lab.pilots import lifecycle
from lab.pilots import service as pilots
from lab.pilots.models import Decision, PilotCreate
from lab.street import codes
from tests.lab.feedback.scenario import running_pilot
from tests.lab.pilots.scenario import Territory, draft_body, make_territory

QUICK: dict[str, Any] = {
    "likert": [{"id": "useful", "text_fr": "Ce service m'est utile.",
                "text_en": "This service is useful to me."}],
    "free_text": [{"id": "remarks", "text_fr": "Un commentaire ?",
                   "text_en": "Any comment?"}],
}
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def quick_pilot(session: Session, t: Territory | None = None,
                prototype_id: uuid.UUID | None = None,
                **changes: Any) -> tuple[Territory, uuid.UUID, str]:
    """A running pilot asking the quick questions (of the territory's prototype, or of
    another one); returns its territory, id and code."""
    t = t or make_territory(session)
    questions = changes.pop("questionnaire", QUICK)
    if prototype_id is None:
        pilot_id = running_pilot(session, t, questionnaire=questions, **changes)
    else:
        body = draft_body(t, questionnaire=questions, **changes)
        body["prototype_id"] = str(prototype_id)
        pilot_id = pilots.create_pilot(session=session, actor=t.startup,
                                       data=PilotCreate.model_validate(body)).id
        lifecycle.submit(session=session, actor=t.startup, pilot_id=pilot_id)
        for city in (t.commune_city, t.epci_city):
            lifecycle.decide(session=session, actor=city, pilot_id=pilot_id,
                             decision=Decision.approved, comment="")
        lifecycle.start(session=session, actor=t.startup, pilot_id=pilot_id)
    return t, pilot_id, codes.short_code(pilot_id)


def token_of(page: Response) -> str:
    found = TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def send(client: TestClient, code: str, token: str | None = None, **fields: str) -> Response:
    """Open the page (unless a token is given) and send the form with these fields."""
    if token is None:
        token = token_of(client.get(f"/q/{code}"))
    data = {"token": token, "lang": "fr", "website": "", "likert_useful": "4",
            "comment": ""} | fields
    return client.post(f"/q/{code}", data=data)


def street_rows(session: Session, pilot_id: uuid.UUID) -> list[Feedback]:
    session.expire_all()
    return list(session.exec(select(Feedback).where(Feedback.pilot_id == pilot_id)))
