"""The demo's story: three startups, pilots in every state, testers and their feedback.

Dates hang on one anchor, today at midnight UTC, so that two seeds on the same day give the
same territory, readings and evaluation results.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from lab.citizens import service as citizens
from lab.citizens.models import AgeBand, ConsentCreate, DigitalComfort, PseudonymousCreate, SignUp
from lab.datasets.models import Sensitivity
from lab.demo import readings
from lab.demo.catalog import CITIZEN_EMAIL, DatasetPlan, World
from lab.demo.territory import CODES
from lab.evaluations import service as evaluations
from lab.evaluations.models import Evaluation, EvaluationRequest
from lab.feedback import service as feedback
from lab.feedback.models import MediatedSubmission, Submission
from lab.pilots import lifecycle
from lab.pilots import service as pilots
from lab.pilots.models import Decision, Pilot, PilotCreate
from lab.pilots.protocol import Protocol
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from lab.settings import LabSettings

# The lighting pilot (running): districts 1–12.
TREATED = CODES[0:6]
CONTROL = CODES[6:12]
PLANTED_EFFECT = -0.18
# The parking-guidance pilot (evaluated, effect found): traffic in districts 13–28.
GUIDANCE_TREATED = CODES[12:18]
GUIDANCE_CONTROL = CODES[18:28]
GUIDANCE_EFFECT = -0.10
# The air pilot (evaluated, inconclusive: nothing planted): districts 29–40.
AIR_TREATED = CODES[28:31]
AIR_CONTROL = CODES[31:40]


def anchor(now: datetime | None = None) -> datetime:
    """Today at midnight UTC: every demo date hangs on it."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Timeline:
    """The demo's periods, all relative to the anchor."""

    today: datetime

    @property
    def data_start(self) -> datetime:
        return self.today - timedelta(days=364)

    def period(self, start_days_ago: int, end_days_ago: int) -> tuple[datetime, datetime]:
        return (self.today - timedelta(days=start_days_ago),
                self.today - timedelta(days=end_days_ago))

    @property
    def lighting(self) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        """Eight weeks of baseline, then a pilot that started five weeks ago and runs four
        more weeks: the lighting pilot is running, its data up to today."""
        monday = self.today - timedelta(days=self.today.weekday())
        start = monday - timedelta(weeks=5)
        return (start - timedelta(weeks=8), start), (start, monday + timedelta(weeks=4))

    @property
    def guidance(self) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        return self.period(330, 250), self.period(250, 160)

    @property
    def air(self) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        return self.period(230, 170), self.period(170, 100)

    @property
    def shuttle(self) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        return self.period(120, 60), self.period(60, 10)

    @property
    def future(self) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        """A pilot not started yet: baseline in the past, field phase ahead."""
        return self.period(90, 30), (self.today + timedelta(days=14),
                                     self.today + timedelta(days=104))


def dataset_plans(line: Timeline, step: timedelta) -> list[DatasetPlan]:
    """The five datasets, with the planted effects of the lighting and guidance pilots."""
    (_, lit), (_, guided) = line.lighting, line.guidance
    return [
        DatasetPlan("energy", "commune", "Consommation de l'éclairage public", "energy",
                    Sensitivity.restricted, "Énergie horaire de l'éclairage par quartier (kWh) "
                    "et nombre de lampadaires allumés.",
                    readings.Series("energy", tuple(TREATED + CONTROL),
                                    {"energy_kwh": "energy", "lamps_on": "lamps"}, step,
                                    (readings.Effect(tuple(TREATED), lit[0], lit[1],
                                                     PLANTED_EFFECT),), seed=11)),
        DatasetPlan("traffic", "epci", "Comptages routiers", "mobility", Sensitivity.open,
                    "Véhicules par heure aux boucles de comptage, par quartier.",
                    readings.Series("traffic", tuple(CODES[12:28]), {"vehicles": "traffic"},
                                    step, (readings.Effect(tuple(GUIDANCE_TREATED), guided[0],
                                                           guided[1], GUIDANCE_EFFECT),),
                                    seed=12)),
        DatasetPlan("parking", "commune", "Occupation du stationnement", "parking",
                    Sensitivity.restricted, "Taux d'occupation horaire des parkings de surface.",
                    readings.Series("parking", tuple(CODES[12:24]), {"occupancy": "parking"},
                                    step, seed=13)),
        DatasetPlan("air", "epci", "Qualité de l'air", "environment", Sensitivity.open,
                    "Concentrations horaires de NO₂ et de PM2,5 (µg/m³) par quartier.",
                    readings.Series("air", tuple(CODES[28:40]),
                                    {"no2": "no2", "pm25": "pm25"}, step, seed=14)),
        DatasetPlan("bus", "epci", "Fréquentation des bus", "mobility", Sensitivity.restricted,
                    "Montées quotidiennes par quartier desservi.",
                    readings.Series("bus", tuple(CODES[24:40]), {"boardings": "boardings"},
                                    timedelta(days=1), seed=15)),
    ]


def _iso(period: tuple[datetime, datetime]) -> dict[str, str]:
    return {"start": period[0].isoformat(), "end": period[1].isoformat()}


QUESTIONNAIRE = {
    "likert": [{"id": "useful", "text_fr": "Ce prototype est utile dans mon quartier.",
                "text_en": "This prototype is useful in my neighbourhood."},
               {"id": "safety", "text_fr": "Je me sens en sécurité dans la rue la nuit.",
                "text_en": "I feel safe in the street at night."}],
    "nps": True, "sus": False,
    "free_text": [{"id": "comment", "text_fr": "Un commentaire ?",
                   "text_en": "Any comment?"}],
}


def protocol(*, hypothesis: str, treated: list[str], control: list[str],
             periods: tuple[tuple[datetime, datetime], tuple[datetime, datetime]],
             dataset_id: uuid.UUID, column: str, aggregation: str, direction: str,
             minimum: float, threshold: float, assets: list[str],
             extra_columns: tuple[str, ...] = (),
             guardrails: tuple[dict[str, Any], ...] = ()) -> Protocol:
    """A difference-in-differences protocol on one dataset column (and its guardrails)."""
    baseline, pilot = periods
    return Protocol.model_validate({
        "hypothesis": hypothesis, "design": "did", "asset_ids": assets,
        "treated_zones": treated, "control_zones": control,
        "baseline": _iso(baseline), "pilot": _iso(pilot),
        "kpis": [{"name": column, "label": column, "primary": True,
                  "aggregation": aggregation, "direction": direction,
                  "minimum_effect": minimum, "success_threshold": threshold,
                  "source": {"kind": "dataset", "dataset_id": str(dataset_id),
                             "column": column}}],
        "datasets": [{"dataset_id": str(dataset_id), "columns": [column, *extra_columns],
                      "zones": treated + control,
                      "window": {"start": baseline[0].isoformat(), "end": pilot[1].isoformat()},
                      "purpose": "Mesurer l'effet du prototype"}],
        "guardrails": list(guardrails),
        "questionnaire": QUESTIONNAIRE,
    })


# The lighting pilot's guardrail, measured by the startup's own light meters and uploaded:
# the light on the ground when someone passes must not drop by more than a tenth.
LUX = {"name": "passing_lux", "label": "Éclairement au passage d'un piéton (lux)",
       "aggregation": "mean", "must_not": "decrease", "tolerance": 0.1,
       "source": {"kind": "measurement", "unit": "lux"}}


def upload_lux(session: Session, world: World, storage: Any, pilot: Pilot, owner: str,
               start: datetime, end: datetime) -> None:
    """The startup's light-meter readings, hourly at night in the pilot's zones, uploaded to
    its workspace as a measurement file (same readings on every seed)."""
    import tempfile
    from pathlib import Path

    import numpy as np
    import polars as pl

    from lab.sandbox import workspaces

    spec = Protocol.model_validate(pilot.protocol)
    hours = pl.datetime_range(start, end, "1h", closed="left", eager=True)
    hours = hours.filter(~hours.dt.hour().is_between(6, 20))  # lit from 9 pm to 6 am
    zones = sorted(spec.zones())
    rng = np.random.default_rng(20260)
    frame = pl.DataFrame({"time": np.tile(hours.to_numpy(), len(zones)),
                          "zone": np.repeat(zones, hours.len()),
                          "value": np.round(rng.normal(22.0, 1.5, hours.len() * len(zones)), 1)})
    frame = frame.with_columns(pl.col("time").dt.replace_time_zone("UTC"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "luxmetres.parquet"
        frame.write_parquet(path)
        workspaces.register(session=session, actor=world.user(owner), pilot_id=pilot.id,
                            kpi=str(LUX["name"]), path=path, filename="luxmetres.parquet",
                            storage=storage)


def prototype(session: Session, world: World, owner: str, name: str, domain: str,
              description: str, trl: int) -> uuid.UUID:
    """Register a startup's prototype."""
    actor = world.user(owner)
    return prototypes.create_prototype(session=session, actor=actor, data=PrototypeCreate(
        name=name, domain=domain, readiness_level=trl, contact_name=actor.full_name,
        contact_email=actor.email, description=description)).id


def draft(session: Session, world: World, owner: str, proto: uuid.UUID, title: str,
          summary: str, spec: Protocol) -> Pilot:
    """A pilot as its startup drafts it."""
    return pilots.create_pilot(session=session, actor=world.user(owner), data=PilotCreate(
        prototype_id=proto, title=title, public_summary=summary, protocol=spec))


def approve_by(session: Session, world: World, pilot: Pilot, *keys: str) -> None:
    """Each authority concerned approves."""
    for key in keys:
        lifecycle.decide(session=session, actor=world.user(key), pilot_id=pilot.id,
                         decision=Decision.approved, comment="Accord de principe.")


CONSENT = ConsentCreate(
    text_fr="Je participe librement à cette expérimentation. Mes réponses sont utilisées de "
            "façon agrégée pour évaluer le prototype ; je peux retirer mon consentement, "
            "télécharger ou effacer mes données à tout moment depuis « Mes données ».",
    text_en="I take part freely in this pilot. My answers are used in aggregate to evaluate "
            "the prototype; I can withdraw my consent, download or erase my data at any time "
            "from \"My data\".",
    instructions_fr="Répondez en ligne, au guichet de la mairie (place Lazare-Goujon, du lundi "
                    "au vendredi de 9 h à 17 h) ou par téléphone au 04 78 03 67 67.",
    instructions_en="Answer online, at the town hall desk (place Lazare-Goujon, Monday to "
                    "Friday 9 am to 5 pm) or by phone on +33 4 78 03 67 67.")


def _answer(i: int, *, good: bool) -> dict[str, Any]:
    # A deterministic spread of answers: mostly positive when the prototype works.
    shift = 1 if good else 0
    return {"likert": {"useful": min(5, 2 + shift + i % 3), "safety": min(5, 3 + (i % 2))},
            "nps": min(10, 5 + 2 * shift + i % 5)}


PLACES = [  # (authority key, kind, name, address, hours, phone, lon, lat)
    ("commune", "town_hall", "Hôtel de ville — accueil", "Place Lazare-Goujon, 69100 "
     "Villeurbanne", "Lundi–vendredi 8 h 30–17 h", "04 78 03 67 67", 4.8799, 45.7667),
    ("commune", "france_services", "France Services Saint-Jean", "Rue Saint-Jean, 69100 "
     "Villeurbanne", "Mardi et jeudi 9 h–12 h, 14 h–17 h", "04 72 65 80 00", 4.9021, 45.7790),
    ("commune", "library", "Médiathèque du Rize", "23 rue Valentin-Haüy, 69100 Villeurbanne",
     "Mardi–samedi 10 h–18 h", None, 4.8847, 45.7631),
    ("epci", "front_desk", "Maison de la Métropole — Cusset", "Rue Jean-Jaurès, 69100 "
     "Villeurbanne", "Lundi–vendredi 9 h–16 h 30", "04 78 63 40 40", 4.8972, 45.7655),
]


def places(session: Session, world: World, pilot_ids: dict[str, list[uuid.UUID]]) -> dict[str, Any]:
    """Places to take part in person, each handling the pilots of its authority."""
    from lab.places import service as place_service
    from lab.places.models import PlaceCreate, PlaceKind

    made = {}
    for owner, kind, name, address, hours, phone, lon, lat in PLACES:
        made[name] = place_service.create_place(
            session=session, actor=world.user(owner), data=PlaceCreate(
                kind=PlaceKind(kind), name=name, address=address, opening_hours=hours,
                phone=phone, lon=lon, lat=lat, pilot_ids=pilot_ids.get(owner, [])))
    return made


def street_answers(session: Session, settings: LabSettings, pilot: Pilot, count: int) -> None:
    """Passers-by answering the quick page of a running pilot (channel street)."""
    for i in range(count):
        feedback.submit_street(session=session, settings=settings, pilot_id=pilot.id,
                               data=Submission.model_validate(_answer(i + 3, good=True)),
                               key=f"demo-street-{pilot.id.hex[:8]}-{i}")


def report_problem(session: Session, storage: Any, pilot: Pilot, asset_id: str) -> str:
    """A passer-by reports a broken streetlight of the pilot; returns the receipt."""
    from lab.reports import service as reports
    from lab.reports.models import ReportCreate

    receipt = reports.file_report(session=session, storage=storage, client="demo-street",
                                  data=ReportCreate.model_validate({
                                      "pilot_id": str(pilot.id), "asset_id": asset_id,
                                      "kind": "not_working",
                                      "description": "Le lampadaire reste éteint depuis "
                                                     "mardi soir."}))
    return receipt.receipt


def gather_feedback(session: Session, settings: LabSettings, world: World, pilot: Pilot,
                    storage: Any, *, web: int, mediated: dict[str, int], good: bool,
                    citizen: bool = False, place_id: uuid.UUID | None = None) -> None:
    """Testers join the pilot and answer on every channel (a group under 8 on paper)."""
    mediator = world.users["mediator@villeurbanne.example"]
    consent = citizens.publish_consent(session=session, actor=world.user("commune"),
                                       pilot_id=pilot.id, data=CONSENT)
    testers = []
    if citizen:
        testers.append(citizens.own_tester(session=session, actor=world.users[CITIZEN_EMAIL]))
    bands = list(AgeBand)
    for i in range(web - len(testers)):
        email = f"habitant{i + 1:02d}.{pilot.id.hex[:4]}@terrain.example"
        testers.append(citizens.sign_up(session=session, settings=settings, client=f"demo-{email}",
                                        data=SignUp(email=email, password=uuid.uuid4().hex,
                                                    age_band=bands[1 + i % 5],
                                                    digital_comfort=DigitalComfort.at_ease)))
    for i, tester in enumerate(testers):
        user = world.users.get(CITIZEN_EMAIL) if citizen and i == 0 else None
        actor = user or _account(session, tester.user_id)
        citizens.enroll(session=session, actor=actor, tester=tester, pilot_id=pilot.id,
                        consent_version=consent.version)
        answer = _answer(i, good=good)
        if i % 4 == 0:
            answer["free_text"] = {"comment": "Bonne idée, à généraliser." if good
                                   else "Je n'ai pas vu de différence."}
        feedback.submit(session=session, settings=settings, storage=storage, actor=actor,
                        pilot_id=pilot.id, data=Submission.model_validate(answer),
                        key=f"demo-web-{pilot.id.hex[:8]}-{i}")
    n = 0
    for channel, count in mediated.items():
        for _ in range(count):
            person, code = citizens.register_pseudonymous(
                session=session, actor=mediator, data=PseudonymousCreate(
                    age_band=bands[4 + n % 2], digital_comfort=DigitalComfort.not_at_ease))
            citizens.enroll(session=session, actor=mediator, tester=person, pilot_id=pilot.id,
                            consent_version=consent.version)
            feedback.submit_mediated(
                session=session, settings=settings, storage=storage, actor=mediator,
                pilot_id=pilot.id, data=MediatedSubmission.model_validate(
                    {**_answer(n, good=good), "channel": channel, "tester_code": code}),
                key=f"demo-{channel}-{pilot.id.hex[:8]}-{n}")
            n += 1


def _account(session: Session, user_id: uuid.UUID | None) -> Any:
    from lab.auth.models import User

    user = session.get(User, user_id)
    if user is None:
        raise RuntimeError("a demo tester lost its account")
    return user


def evaluate(session: Session, world: World, pilot: Pilot, owner: str) -> Evaluation:
    """Close the field phase and run the registered evaluation (the job runs inline)."""
    lifecycle.complete(session=session, actor=world.user(owner), pilot_id=pilot.id)
    evaluation = evaluations.request_evaluation(session=session, actor=world.user(owner),
                                                pilot_id=pilot.id, data=EvaluationRequest())
    session.expire_all()
    done = session.get(Evaluation, evaluation.id)
    if done is None or done.status != "done":
        raise RuntimeError(f"the demo evaluation of {pilot.title!r} did not finish: "
                           f"{done.error if done else 'missing'}")
    return done


__all__ = ["AIR_CONTROL", "AIR_TREATED", "CONTROL", "GUIDANCE_CONTROL", "GUIDANCE_EFFECT",
           "GUIDANCE_TREATED", "PLANTED_EFFECT", "TREATED", "Timeline", "anchor",
           "approve_by", "dataset_plans", "draft", "evaluate", "gather_feedback", "places",
           "protocol", "prototype", "report_problem", "street_answers"]
