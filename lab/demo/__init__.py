"""Demo territory for `make run`: a commune, its EPCI and its région, five datasets, three
startups and pilots in every state, testers and feedback on every channel.

Everything goes through the services (rules, audit, the real upload, conversion, extract and
evaluation paths). It runs once, on an empty database (a second run changes nothing), and is
deterministic for a given day. Accounts, each with its own generated password, are written
to `LAB_HOME/demo-accounts.txt` (mode 0600, one `email<TAB>role<TAB>password` per line).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from minio import Minio
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from lab.citizens.models import SignUp
from lab.datasets.models import DatasetVersion
from lab.demo import catalog, story
from lab.demo.accounts import ACCOUNTS_FILE
from lab.demo.catalog import CITIZEN_EMAIL, World
from lab.demo.story import CONTROL, GUIDANCE_EFFECT, PLANTED_EFFECT, TREATED, Timeline
from lab.directory.models import Authority
from lab.jobs import runtime
from lab.jobs.queue import huey
from lab.pilots import lifecycle
from lab.pilots.models import Decision
from lab.settings import LabSettings, get_settings


@contextmanager
def _inline_jobs(engine: Engine, client: Minio) -> Iterator[None]:
    previous = huey.immediate
    huey.immediate = True
    runtime.set_engine(engine)
    runtime.set_storage(client)
    try:
        yield
    finally:
        huey.immediate = previous


def is_seeded(engine: Engine) -> bool:
    """Whether the database already holds a territory (the demo then changes nothing)."""
    with Session(engine) as session:
        return session.exec(select(Authority)).first() is not None


def seed(*, engine: Engine, client: Minio, home: Path, size: str = "small",
         settings: LabSettings | None = None) -> Path | None:
    """Fill an empty database with the demo territory; None when it already holds data."""
    import lab.job_kinds  # noqa: F401 - the conversions, extracts and evaluations run inline

    if is_seeded(engine):
        return None
    settings = settings or get_settings()
    line = Timeline(story.anchor())
    work = home / "work"
    work.mkdir(parents=True, exist_ok=True)
    with _inline_jobs(engine, client), Session(engine, expire_on_commit=False) as session:
        world = catalog.build_directory(session)
        citizen = _citizen(session, settings, world)
        catalog.build_map(session, world)
        versions: dict[str, DatasetVersion] = {}
        for plan in story.dataset_plans(line, catalog.cadence(size)):
            versions[plan.key] = catalog.upload(session, world, plan, start=line.data_start,
                                                end=line.today, client=client, work=work)
        _pilots(session, settings, world, line, client)
    path = home / ACCOUNTS_FILE
    path.touch(mode=0o600)
    path.chmod(0o600)
    rows = [(email, role.value, world.passwords[email])
            for email, role, *_ in catalog.ACCOUNTS] + [(CITIZEN_EMAIL, "citizen", citizen)]
    path.write_text("".join(f"{e}\t{r}\t{p}\n" for e, r, p in rows))
    return path


def _citizen(session: Session, settings: LabSettings, world: World) -> str:
    import secrets

    from lab.auth.models import User
    from lab.citizens import service as citizens

    password = secrets.token_urlsafe(9)
    tester = citizens.sign_up(session=session, settings=settings, client="demo-citizen",
                              data=SignUp(email=CITIZEN_EMAIL, password=password,
                                          name="Alex"))
    user = session.get(User, tester.user_id)
    assert user is not None
    world.users[CITIZEN_EMAIL] = user
    world.passwords[CITIZEN_EMAIL] = password
    return password


def _pilots(session: Session, settings: LabSettings, world: World, line: Timeline,
            storage: Any) -> None:
    ds, assets = world.datasets, world.assets
    s = story
    lumi = s.prototype(session, world, "lumiadapt", "LumiAdapt", "lighting",
                       "Gradation de l'éclairage public selon la présence de passants.", 7)
    park = s.prototype(session, world, "parksense", "ParkSense", "mobility",
                       "Guidage en temps réel vers les places de stationnement libres.", 6)
    air = s.prototype(session, world, "aircapt", "AirCapt", "environment",
                      "Micro-capteurs de qualité de l'air et murs végétalisés.", 5)
    lights = assets["streetlight:commune"][:12]
    # 1. Running: the lighting pilot, its grant active and extract built, consent published,
    #    testers answering on every channel (paper stays under 8: disclosure control shows).
    running = s.draft(session, world, "lumiadapt", lumi, "Éclairage adaptatif à Villeurbanne",
                      "Les lampadaires baissent quand la rue est vide et remontent dès qu'on "
                      "passe.", s.protocol(
                          hypothesis="La gradation réduit la consommation nocturne d'au moins "
                                     "15 %.", treated=TREATED, control=CONTROL,
                          periods=line.lighting, dataset_id=ds["energy"].id,
                          column="energy_kwh", aggregation="sum", direction="decrease",
                          minimum=0.05, threshold=0.15, assets=lights, guardrails=(s.LUX,)))
    lifecycle.submit(session=session, actor=world.user("lumiadapt"), pilot_id=running.id)
    s.approve_by(session, world, running, "commune")
    lifecycle.start(session=session, actor=world.user("lumiadapt"), pilot_id=running.id)
    s.upload_lux(session, world, storage, running, "lumiadapt", line.lighting[0][0],
                 line.today)
    desks = s.places(session, world, {"commune": [running.id]})
    s.gather_feedback(session, settings, world, running, storage, web=12, good=True,
                      citizen=True, mediated={"phone": 9, "counter": 8, "paper": 5},
                      place_id=desks["Hôtel de ville — accueil"].id)
    s.street_answers(session, settings, running, 11)
    s.report_problem(session, storage, running, lights[0])
    # 2. Submitted, awaiting the commune's decision.
    parks = s.draft(session, world, "lumiadapt", lumi, "Extension aux parcs",
                    "Le même principe dans les parcs.", s.protocol(
                        hypothesis="La gradation dans les parcs réduit la consommation de "
                                   "10 %.", treated=TREATED[:3], control=CONTROL[:3],
                        periods=line.future, dataset_id=ds["energy"].id, column="energy_kwh",
                        aggregation="sum", direction="decrease", minimum=0.05, threshold=0.1,
                        assets=[]))
    lifecycle.submit(session=session, actor=world.user("lumiadapt"), pilot_id=parks.id)
    # 3. Evaluated, effect found: parking guidance across two authorities (the commune's
    #    parking zones, the EPCI's traffic counts), both approving.
    parking_assets = assets["parking_zone:commune"][:6]
    guided = s.draft(session, world, "parksense", park, "Guidage vers les places libres",
                     "Des panneaux dynamiques guident vers les places libres pour réduire la "
                     "circulation de recherche.", s.protocol(
                         hypothesis="Le guidage réduit le trafic de recherche d'au moins 5 %.",
                         treated=story.GUIDANCE_TREATED, control=story.GUIDANCE_CONTROL,
                         periods=line.guidance, dataset_id=ds["traffic"].id, column="vehicles",
                         aggregation="mean", direction="decrease", minimum=0.03,
                         threshold=0.05, assets=parking_assets))
    lifecycle.submit(session=session, actor=world.user("parksense"), pilot_id=guided.id)
    s.approve_by(session, world, guided, "commune", "epci")
    lifecycle.start(session=session, actor=world.user("parksense"), pilot_id=guided.id)
    s.gather_feedback(session, settings, world, guided, storage, web=14, good=True,
                      mediated={"counter": 9, "phone": 4})
    s.evaluate(session, world, guided, "parksense")
    # 4. Evaluated, inconclusive: the air pilot (nothing planted).
    sensors = assets["sensor:epci"][:3]
    airy = s.draft(session, world, "aircapt", air, "Murs végétalisés et capteurs citoyens",
                   "Des murs végétalisés près des écoles, mesurés par des micro-capteurs.",
                   s.protocol(hypothesis="Les murs végétalisés réduisent le NO₂ de 10 %.",
                              treated=story.AIR_TREATED, control=story.AIR_CONTROL,
                              periods=line.air, dataset_id=ds["air"].id, column="no2",
                              aggregation="mean", direction="decrease", minimum=0.05,
                              threshold=0.1, assets=sensors))
    lifecycle.submit(session=session, actor=world.user("aircapt"), pilot_id=airy.id)
    s.approve_by(session, world, airy, "commune", "epci")
    lifecycle.start(session=session, actor=world.user("aircapt"), pilot_id=airy.id)
    s.evaluate(session, world, airy, "aircapt")
    # 5. Suspended, its grants revoked.
    connected = s.draft(session, world, "parksense", park, "Stationnement connecté — Charpennes",
                        "Des capteurs au sol signalent les places libres.", s.protocol(
                            hypothesis="Les capteurs augmentent la rotation des places de 5 %.",
                            treated=list(story.CODES[12:15]), control=list(story.CODES[15:24]),
                            periods=line.lighting, dataset_id=ds["parking"].id,
                            column="occupancy", aggregation="mean", direction="increase",
                            minimum=0.03, threshold=0.05,
                            assets=assets["parking_zone:commune"][:3]))
    lifecycle.submit(session=session, actor=world.user("parksense"), pilot_id=connected.id)
    s.approve_by(session, world, connected, "commune")
    lifecycle.start(session=session, actor=world.user("parksense"), pilot_id=connected.id)
    lifecycle.suspend(session=session, actor=world.user("commune"), pilot_id=connected.id,
                      reason="Capteurs défectueux signalés par les riverains ; reprise après "
                             "remplacement.")
    # 6. Completed, not evaluated yet: a shuttle to the région's coaches (the commune's
    #    districts, the EPCI's ridership, the région's coach stop: three approvals).
    coach = assets["bus_stop:region"]
    shuttle = s.draft(session, world, "aircapt", air, "Navette vers le car régional",
                      "Une navette électrique relie les quartiers est à l'arrêt du car X15.",
                      s.protocol(hypothesis="La navette augmente les montées de 8 %.",
                                 treated=list(story.CODES[36:40]),
                                 control=list(story.CODES[24:36]), periods=line.shuttle,
                                 dataset_id=ds["bus"].id, column="boardings",
                                 aggregation="sum", direction="increase", minimum=0.04,
                                 threshold=0.08, assets=coach))
    lifecycle.submit(session=session, actor=world.user("aircapt"), pilot_id=shuttle.id)
    s.approve_by(session, world, shuttle, "commune", "epci", "region")
    lifecycle.start(session=session, actor=world.user("aircapt"), pilot_id=shuttle.id)
    lifecycle.complete(session=session, actor=world.user("aircapt"), pilot_id=shuttle.id)
    # 7. Approved with an amendment, re-approved: connected bus shelters, not started yet.
    stops = assets["bus_stop:epci"][:4]
    spec = s.protocol(hypothesis="Les abribus connectés augmentent la fréquentation de 5 %.",
                      treated=list(story.CODES[24:28]), control=list(story.CODES[28:36]),
                      periods=line.future, dataset_id=ds["bus"].id, column="boardings",
                      aggregation="sum", direction="increase", minimum=0.03, threshold=0.05,
                      assets=stops)
    shelters = s.draft(session, world, "aircapt", air, "Abribus connectés",
                       "Des abribus affichent l'attente réelle et la qualité de l'air.", spec)
    lifecycle.submit(session=session, actor=world.user("aircapt"), pilot_id=shelters.id)
    s.approve_by(session, world, shelters, "commune", "epci")
    amended = spec.model_copy(update={"hypothesis": spec.hypothesis + " Ajout : mesure de la "
                                      "satisfaction par questionnaire."})
    lifecycle.amend(session=session, actor=world.user("aircapt"), pilot_id=shelters.id,
                    protocol=amended, reason="Ajout d'un questionnaire aux usagers.")
    s.approve_by(session, world, shelters, "commune", "epci")
    # 8. Changes requested by the EPCI.
    bikes = s.draft(session, world, "parksense", park, "Compteurs vélo connectés",
                    "Des compteurs sur les pistes cyclables.", s.protocol(
                        hypothesis="Afficher les passages augmente la pratique du vélo.",
                        treated=list(story.CODES[24:26]), control=list(story.CODES[26:30]),
                        periods=line.future, dataset_id=ds["bus"].id, column="boardings",
                        aggregation="sum", direction="increase", minimum=0.03, threshold=0.05,
                        assets=assets["bike_lane:epci"][:2]))
    lifecycle.submit(session=session, actor=world.user("parksense"), pilot_id=bikes.id)
    lifecycle.decide(session=session, actor=world.user("epci"), pilot_id=bikes.id,
                     decision=Decision.changes_requested,
                     comment="Précisez comment les passages de vélos seront comptés.")
    # 9. Refused by the commune.
    ads = s.draft(session, world, "lumiadapt", lumi, "Écrans publicitaires sur lampadaires",
                  "Des écrans sur les mâts d'éclairage.", s.protocol(
                      hypothesis="Les écrans financent la rénovation de l'éclairage.",
                      treated=TREATED[3:], control=CONTROL[3:], periods=line.future,
                      dataset_id=ds["energy"].id, column="energy_kwh", aggregation="sum",
                      direction="decrease", minimum=0.05, threshold=0.1, assets=lights[6:8]))
    lifecycle.submit(session=session, actor=world.user("lumiadapt"), pilot_id=ads.id)
    lifecycle.decide(session=session, actor=world.user("commune"), pilot_id=ads.id,
                     decision=Decision.refused,
                     comment="Contraire au règlement local de publicité.")
    # 10. Withdrawn by its startup, and 11. a draft.
    noise = s.draft(session, world, "aircapt", air, "Capteurs de bruit nocturne",
                    "Mesurer le bruit la nuit près des bars.", s.protocol(
                        hypothesis="La sensibilisation réduit le bruit nocturne.",
                        treated=story.AIR_TREATED, control=story.AIR_CONTROL,
                        periods=line.future, dataset_id=ds["air"].id, column="no2",
                        aggregation="mean", direction="decrease", minimum=0.05, threshold=0.1,
                        assets=[]))
    lifecycle.submit(session=session, actor=world.user("aircapt"), pilot_id=noise.id)
    lifecycle.withdraw(session=session, actor=world.user("aircapt"), pilot_id=noise.id,
                       reason="Capteurs non certifiés à temps.")
    s.draft(session, world, "lumiadapt", lumi, "Éclairage des pistes cyclables",
            "Un éclairage qui suit les cyclistes.", s.protocol(
                hypothesis="L'éclairage dynamique des pistes réduit la consommation de 20 %.",
                treated=TREATED[:2], control=CONTROL[:4], periods=line.future,
                dataset_id=ds["energy"].id, column="energy_kwh", aggregation="sum",
                direction="decrease", minimum=0.05, threshold=0.2, assets=[]))


__all__ = ["ACCOUNTS_FILE", "CONTROL", "GUIDANCE_EFFECT", "PLANTED_EFFECT", "TREATED", "is_seeded",
           "seed"]
