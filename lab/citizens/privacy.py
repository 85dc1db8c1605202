"""A tester's rights: download everything held about them, and erase it.

Erasure deletes, it does not anonymize: a tester's answers (Likert, NPS, SUS, free text,
location), photos, enrollments, closing answers, profile and, for web testers, the account
and its API keys and login-throttle row (keyed by email). Photos go first, so a failure
half-way leaves rows that still point to what is left and a retry finishes the job. The
audit log keeps the facts (ids, kinds, counts) of what happened: it never held an email, a
name or a code, and the ids it holds point to nothing once the rows are gone.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from lab.audit import service as audit
from lab.audit.models import AuditLog
from lab.auth.models import LoginThrottle, User
from lab.citizens.models import Enrollment, Tester, TesterKind
from lab.common import utcnow
from lab.db import begin_write
from lab.feedback import photos
from lab.feedback.models import Feedback, KeepAnswer
from lab.pilots.models import Pilot
from storage import get_bytes

_AUDIT_LIMIT = 1000


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(*, session: Session, storage: Any, actor: User, tester: Tester) -> dict[str, Any]:
    """Everything held about the tester, as JSON (photos inline, base64)."""
    begin_write(session)  # served on GET, and the export is audited
    user = session.get(User, tester.user_id) if tester.user_id else None
    titles = dict(session.exec(select(Pilot.id, Pilot.title).join(
        Enrollment, col(Enrollment.pilot_id) == col(Pilot.id))
        .where(Enrollment.tester_id == tester.id)).all())
    enrollments = session.exec(select(Enrollment).where(Enrollment.tester_id == tester.id)).all()
    feedback = session.exec(select(Feedback).where(Feedback.tester_id == tester.id)
                            .order_by(col(Feedback.submitted_at))).all()
    keep = session.exec(select(KeepAnswer).where(KeepAnswer.tester_id == tester.id)).all()
    trail = session.exec(select(AuditLog).where(or_(
        AuditLog.object_id == str(tester.id), AuditLog.actor_id == tester.id))
        .order_by(col(AuditLog.id)).limit(_AUDIT_LIMIT)).all()
    audit.record(session=session, actor=actor, action="tester.export", object_type="tester",
                 object_id=tester.id)
    session.commit()
    return {
        "exported_at": _iso(utcnow()),
        "profile": {
            "tester_id": str(tester.id), "kind": str(tester.kind), "pseudonym": tester.pseudonym,
            "name": tester.name, "age_band": tester.age_band,
            "digital_comfort": tester.digital_comfort, "created_at": _iso(tester.created_at),
            "email": user.email if user else None,
            "code": "held only as a hash; the person has it on paper"
            if tester.kind == TesterKind.pseudonymous else None,
        },
        "enrollments": [{"pilot_id": str(e.pilot_id), "pilot_title": titles.get(e.pilot_id),
                         "consent_version": e.consent_version,
                         "accepted_at": _iso(e.accepted_at),
                         "withdrawn_at": _iso(e.withdrawn_at)} for e in enrollments],
        "feedback": [_feedback(storage, f) for f in feedback],
        "keep_answers": [{"pilot_id": str(k.pilot_id), "answer": str(k.answer),
                          "channel": str(k.channel), "answered_at": _iso(k.answered_at)}
                         for k in keep],
        "audit": [{"at": _iso(a.at), "action": a.action, "object_type": a.object_type,
                   "object_id": a.object_id, "after": a.after} for a in trail],
    }


def _feedback(storage: Any, f: Feedback) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(f.id), "pilot_id": str(f.pilot_id), "channel": str(f.channel),
        "recorded_by": str(f.recorded_by) if f.recorded_by else None,
        "submitted_at": _iso(f.submitted_at), "likert": f.likert, "nps": f.nps, "sus": f.sus,
        "free_text": f.free_text, "zone": f.zone_code,
        "point": {"lon": f.lon, "lat": f.lat} if f.lon is not None else None,
        "idempotency_key": f.idempotency_key, "photo": None,
    }
    if f.photo_key:
        data = get_bytes(storage, photos.bucket(), f.photo_key) if storage is not None else None
        item["photo"] = {"key": f.photo_key,
                         "content_type": "image/png" if f.photo_key.endswith(".png")
                         else "image/jpeg",
                         "base64": base64.b64encode(data).decode() if data else None}
    return item


def erase(*, session: Session, storage: Any, actor: User, tester: Tester) -> dict[str, int]:
    """Delete the tester's photos, answers, enrollments, profile and account."""
    tester_id, user_id, kind = tester.id, tester.user_id, str(tester.kind)
    with_photos = session.exec(select(Feedback.pilot_id, Feedback.id).where(
        Feedback.tester_id == tester_id, col(Feedback.photo_key).is_not(None))).all()
    removed = sum(photos.remove(storage, pilot_id, feedback_id)
                  for pilot_id, feedback_id in with_photos)
    counts = {"photos": removed}
    for name, model in (("feedback", Feedback), ("keep_answers", KeepAnswer),
                        ("enrollments", Enrollment)):
        column = col(model.tester_id)  # type: ignore[attr-defined]
        result: Any = session.execute(delete(model).where(column == tester_id))
        counts[name] = int(result.rowcount or 0)
    user = session.get(User, user_id) if user_id is not None else None
    email = user.email if user is not None else None
    session.delete(tester)
    session.flush()
    if user is not None:
        session.delete(user)  # its API keys go with it (ON DELETE CASCADE)
    if email:
        session.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == f"email:{email}"))
    audit.record(session=session, actor=actor if actor.id != user_id else None,
                 action="tester.erase", object_type="tester", object_id=tester_id,
                 after={"kind": kind, **counts},
                 reason="erasure requested by the tester")
    session.commit()
    return counts


__all__ = ["erase", "export"]
