"""What each role may read of a pilot's feedback.

- A startup sees its own pilots' feedback only as aggregates passed through the analysis
  core's disclosure control (no count of 7 or fewer, shown counts rounded to 5), and free
  text with emails, phone numbers and testers' names removed, listed only for a question
  with more than 7 answers, in alphabetical order, without time, channel or pseudonym.
  Another startup's pilot is a 404.
- City members of an authority concerned (and admins) see the exact aggregates and every
  answer under the tester's pseudonym (never an email or a name).
- Every aggregate is broken down by channel; bands (age, digital comfort) on request.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import polars as pl
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from experiments.feedback import (
    DISCLOSURE_THRESHOLD,
    SUS_ITEMS,
    CountTable,
    disclose_likert,
    disclose_nps,
    disclose_sus,
    disclose_table,
    likert,
    likert_counts,
    nps,
    nps_counts,
    sus,
    sus_counts,
)
from lab.auth.models import Role, User
from lab.citizens.access import is_concerned, load_pilot
from lab.citizens.models import Enrollment, Tester
from lab.common import Page, PageParams
from lab.exceptions import NotFound, ServiceUnavailable
from lab.feedback import photos, questionnaire, scrub
from lab.feedback.models import Feedback, FeedbackIndividual, KeepAnswer, KeepChoice, Point
from lab.pilots.models import Pilot
from storage import get_bytes

Band = Literal["age_band", "digital_comfort"]
View = Literal["disclosed", "exact"]
DISCLOSURE_NOTE = ("Counts of seven or fewer are withheld (as are counts that would reveal "
                   "them); shown counts are rounded to the nearest five; statistics of small "
                   "groups are withheld; free text has personal data removed.")


def _view_for(session: Session, actor: User, pilot: Pilot) -> View:
    if actor.role == Role.startup and actor.organization_id == pilot.organization_id:
        return "disclosed"
    if actor.role in (Role.city, Role.admin) and is_concerned(session, actor, pilot.id):
        return "exact"
    raise NotFound("No such pilot.")


def _frame(session: Session, pilot_id: uuid.UUID, likert_ids: list[str]) -> pl.DataFrame:
    rows = session.execute(
        sa_select(col(Feedback.channel), col(Feedback.likert), col(Feedback.nps),
                  col(Feedback.sus), col(Tester.age_band), col(Tester.digital_comfort))
        .join(Tester, col(Feedback.tester_id) == col(Tester.id), isouter=True)
        .where(col(Feedback.pilot_id) == pilot_id)).all()
    data: dict[str, list[Any]] = {
        "channel": [str(r[0]) for r in rows], "nps": [r[2] for r in rows],
        "age_band": [str(r[4]) if r[4] else None for r in rows],
        "digital_comfort": [str(r[5]) if r[5] else None for r in rows],
    }
    for item in likert_ids:
        data[f"likert_{item}"] = [(r[1] or {}).get(item) for r in rows]
    for i, name in enumerate(SUS_ITEMS):
        data[name] = [r[3][i] if r[3] else None for r in rows]
    schema = {k: (pl.String if k in ("channel", "age_band", "digital_comfort") else pl.Int64)
              for k in data}
    return pl.DataFrame(data, schema=schema)


def _breakdowns(by: Band | None) -> list[str]:
    return ["channel"] + ([by] if by else [])


def summary(*, session: Session, actor: User, pilot_id: uuid.UUID,
            by: Band | None = None) -> dict[str, Any]:
    """The pilot's feedback, summarised for the actor's role (see the module rules)."""
    pilot = load_pilot(session, pilot_id)
    return summarize(session=session, pilot=pilot, view=_view_for(session, actor, pilot), by=by)


def summarize(*, session: Session, pilot: Pilot, view: View,
              by: Band | None = None) -> dict[str, Any]:
    """The pilot's feedback as one view: `exact` (city) or `disclosed` (safe for startups)."""
    asked, _zones = questionnaire.parse(pilot.id, pilot.protocol_hash, pilot.protocol)
    frame = _frame(session, pilot.id, [q.id for q in asked.likert])
    exact = view == "exact"
    groups = _breakdowns(by)

    def _scale(counts: Any, result: Any, disclose: Any) -> dict[str, Any]:
        out = {}
        for group in groups:
            breakdown = counts(group).map(result)
            out[f"by_{group}"] = (breakdown if exact else disclose(breakdown)).to_dict()
        return out

    out: dict[str, Any] = {"pilot_id": str(pilot.id), "view": view,
                           "respondents": _count(frame.height, exact)}
    out["likert"] = [
        {"id": q.id, "text_fr": q.text_fr, "text_en": q.text_en,
         **_scale(lambda g, q=q: likert_counts(frame, f"likert_{q.id}", by=g), likert,
                  disclose_likert)}
        for q in asked.likert]
    out["nps"] = (_scale(lambda g: nps_counts(frame, "nps", by=g), nps, disclose_nps)
                  if asked.nps else None)
    out["sus"] = (_scale(lambda g: sus_counts(frame, by=g), sus, disclose_sus)
                  if asked.sus else None)
    out["free_text"] = _free_text(session, pilot, asked.free_text, exact)
    out["keep"] = _keep(session, pilot.id, exact)
    if not exact:
        out["disclosure"] = DISCLOSURE_NOTE
    return out


def _count(n: int, exact: bool) -> Any:
    if exact:
        return n
    table = disclose_table(CountTable((None,), ("respondents",), ((n,),)))
    return {"value": table.total.value, "reason": table.total.reason}


def _free_text(session: Session, pilot: Pilot, asked: Any, exact: bool) -> list[dict[str, Any]]:
    texts = session.exec(select(Feedback.free_text).where(Feedback.pilot_id == pilot.id)).all()
    names = scrub.name_words(session.exec(
        select(Tester.name).join(Enrollment, col(Enrollment.tester_id) == col(Tester.id))
        .where(Enrollment.pilot_id == pilot.id, col(Tester.name).is_not(None))).all())
    out = []
    for q in asked:
        answers = [t[q.id] for t in texts if t and t.get(q.id)]
        item: dict[str, Any] = {"id": q.id, "text_fr": q.text_fr, "text_en": q.text_en}
        if exact:
            item["answers"] = answers
        elif len(answers) > DISCLOSURE_THRESHOLD:
            item["answers"] = sorted(scrub.scrub(a, names) for a in answers)
        else:
            item["answers"], item["reason"] = [], "suppressed_small_count"
        out.append(item)
    return out


def _keep(session: Session, pilot_id: uuid.UUID, exact: bool) -> dict[str, Any]:
    counts = dict(session.exec(select(KeepAnswer.answer, func.count())
                               .where(KeepAnswer.pilot_id == pilot_id)
                               .group_by(KeepAnswer.answer)).all())
    choices = [c.value for c in KeepChoice]
    cells = tuple(int(counts.get(c, 0)) for c in choices)
    if exact:
        return {"counts": dict(zip(choices, cells, strict=True)), "total": sum(cells)}
    return disclose_table(CountTable((None,), tuple(choices), (cells,))).to_dict()


def list_feedback(*, session: Session, actor: User, pilot_id: uuid.UUID, page: PageParams,
                  channel: str | None = None) -> Page[FeedbackIndividual]:
    """Individual answers under pseudonyms, newest first (city members concerned, admins)."""
    pilot = load_pilot(session, pilot_id)
    if _view_for(session, actor, pilot) != "exact":
        raise NotFound("Individual answers are not shown to startups; read the summary.")
    query = (select(Feedback, Tester.pseudonym)
             .join(Tester, col(Feedback.tester_id) == col(Tester.id), isouter=True)
             .where(Feedback.pilot_id == pilot_id))
    if channel:
        query = query.where(Feedback.channel == channel)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Feedback.submitted_at).desc(), col(Feedback.id))
                        .offset(page.offset).limit(page.limit)).all()
    return Page(items=[individual(f, pseudonym) for f, pseudonym in rows], total=total,
                limit=page.limit, offset=page.offset)


def receipt_fields(f: Feedback) -> dict[str, Any]:
    """The fields of a stored answer that its author and the city may see."""
    return {"id": f.id, "pilot_id": f.pilot_id, "protocol_version": f.protocol_version,
            "channel": f.channel, "likert": f.likert, "nps": f.nps, "sus": f.sus,
            "free_text": f.free_text, "zone": f.zone_code,
            "point": Point(lon=f.lon, lat=f.lat) if f.lon is not None and f.lat is not None
            else None, "has_photo": f.photo_key is not None, "submitted_at": f.submitted_at,
            "collected_on": f.collected_on}


def individual(f: Feedback, pseudonym: str | None) -> FeedbackIndividual:
    """One answer as the city sees it."""
    return FeedbackIndividual(**receipt_fields(f), tester=pseudonym, recorded_by=f.recorded_by,
                              photo_key=f.photo_key, place_id=f.place_id)


def photo_of(*, session: Session, storage: Any, actor: User, pilot_id: uuid.UUID,
             feedback_id: uuid.UUID) -> tuple[bytes, str]:
    """The photo of an answer and its media type, for city members concerned."""
    pilot = load_pilot(session, pilot_id)
    if _view_for(session, actor, pilot) != "exact":
        raise NotFound("No such photo.")
    feedback = session.get(Feedback, feedback_id)
    if feedback is None or feedback.pilot_id != pilot_id or feedback.photo_key is None:
        raise NotFound("No such photo.")
    if storage is None:
        raise ServiceUnavailable("The object store is not configured.")
    data = get_bytes(storage, photos.bucket(), feedback.photo_key)
    return data, "image/png" if feedback.photo_key.endswith(".png") else "image/jpeg"


__all__ = ["DISCLOSURE_NOTE", "individual", "list_feedback", "photo_of", "receipt_fields",
           "summarize", "summary"]
