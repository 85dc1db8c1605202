"""A mixed workload against a running API (`lab up`): the concurrency test and
`bench/load.py` share it.

Seeded in the platform's database through the services (authorities, users, zones, an
asset, a prototype), then through HTTP like a client: a running pilot with a consent text
and a pool of submitted pilots awaiting the commune's decision. Each client thread then
sends, each request on its own connection, a random mix of: `GET /me` with an API key
(which records `last_used_at`), reads (`/pilots`, `/zones`, `/public/pilots`), anonymous
mediated feedback with a fresh Idempotency-Key (sometimes a retry of one already accepted),
and decisions on the pool.
`verify` then checks in the database that every accepted write was stored exactly once.
"""

from __future__ import annotations

import queue
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import Session

from lab import models as _tables  # noqa: F401  (every table, for the seeding session)
from lab.auth.models import Role
from lab.db import make_engine
from tests.factories import PASSWORD, make_user
from tests.lab.pilots.scenario import draft_body, make_territory

MIX = (("api_key_me", 30), ("read", 30), ("feedback", 25), ("feedback_retry", 5),
       ("decision", 10))


@dataclass
class World:
    api: str
    running_pilot: uuid.UUID
    api_keys: list[str]
    city: dict[str, str]
    mediator: dict[str, str]
    pending: queue.SimpleQueue[uuid.UUID]
    pending_ids: list[uuid.UUID]
    # What the server accepted over every run so far, to compare with the database.
    feedback_keys: set[str] = field(default_factory=set)
    decided: list[uuid.UUID] = field(default_factory=list)


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    feedback_keys: set[str] = field(default_factory=set)
    decided: list[uuid.UUID] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0


def _protocol_body(t: Any) -> dict[str, Any]:
    # Uses the commune's asset and zones only: the commune alone decides, no extract job.
    return draft_body(t, kpis=[{"name": "complaints", "source": {"kind": "measurement",
                                                                "unit": "count"},
                                "direction": "decrease", "minimum_effect": 0.1,
                                "success_threshold": 0.2, "primary": True}], datasets=[])


def _login(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post("/auth/token", data={"username": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def seed(database_url: str, api: str, *, pending: int, api_keys: int = 8) -> World:
    """Build the world in the platform's database and through its API."""
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        t = make_territory(session)
        mediator_user = make_user(session, Role.mediator, authority=t.commune)
    engine.dispose()
    with httpx.Client(base_url=api, timeout=60) as client:
        startup, city = _login(client, t.startup.email), _login(client, t.commune_city.email)
        mediator = _login(client, mediator_user.email)

        def submitted() -> uuid.UUID:
            created = client.post("/pilots", headers=startup, json=_protocol_body(t))
            created.raise_for_status()
            pilot_id = uuid.UUID(created.json()["id"])
            client.post(f"/pilots/{pilot_id}/submit", headers=startup).raise_for_status()
            return pilot_id

        running = submitted()
        client.post(f"/pilots/{running}/decisions", headers=city,
                    json={"decision": "approved", "comment": ""}).raise_for_status()
        client.post(f"/pilots/{running}/start", headers=startup).raise_for_status()
        client.post(f"/pilots/{running}/consent", headers=city, json={
            "text_fr": "Vos réponses servent à évaluer le pilote.",
            "text_en": "Your answers are used to evaluate the pilot."}).raise_for_status()
        keys = []
        for i in range(api_keys):
            made = client.post("/me/api-keys", headers=startup, json={"name": f"load {i}"})
            made.raise_for_status()
            keys.append(made.json()["key"])
        pool: queue.SimpleQueue[uuid.UUID] = queue.SimpleQueue()
        ids = [submitted() for _ in range(pending)]
        for pilot_id in ids:
            pool.put(pilot_id)
    return World(api, running, keys, city, mediator, pool, ids)


def _one(client: httpx.Client, world: World, kind: str, outcome: Outcome,
         rng: random.Random) -> None:
    if kind == "decision":
        try:
            pilot_id = world.pending.get_nowait()
        except queue.Empty:
            kind = "read"
    started = time.perf_counter()
    key = None
    try:
        if kind == "api_key_me":
            response = client.get("/me", headers={
                "Authorization": f"Bearer {rng.choice(world.api_keys)}"})
        elif kind == "read":
            path = rng.choice(["/pilots", "/zones", "/public/pilots"])
            response = client.get(path, headers=world.city)
        elif kind in ("feedback", "feedback_retry"):
            with outcome.lock:
                earlier = list(outcome.feedback_keys)
            key = rng.choice(earlier) if kind == "feedback_retry" and earlier else (
                str(uuid.uuid4()))
            response = client.post(
                f"/pilots/{world.running_pilot}/feedback/mediated",
                headers={**world.mediator, "Idempotency-Key": key},
                json={"likert": {"comfort": 4}, "nps": 8, "channel": "counter"})
        else:
            response = client.post(f"/pilots/{pilot_id}/decisions", headers=world.city,
                                   json={"decision": "approved", "comment": ""})
    except httpx.HTTPError as exc:
        with outcome.lock:
            outcome.errors[type(exc).__name__] += 1
        return
    elapsed = time.perf_counter() - started
    with outcome.lock:
        outcome.statuses[response.status_code] += 1
        outcome.latencies.append(elapsed)
        if key is not None and response.status_code in (200, 201):
            outcome.feedback_keys.add(key)
        if kind == "decision" and response.status_code == 200:
            outcome.decided.append(pilot_id)


def run(world: World, *, clients: int, requests_per_client: int, seed: int = 7) -> Outcome:
    """`clients` threads, each with its own connection, sending the mix."""
    outcome = Outcome()
    kinds, weights = zip(*MIX, strict=True)
    barrier = threading.Barrier(clients)

    def client_loop(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        # A fresh connection per request: a kept-alive one can be closed by the server's idle
        # timeout just as the next request goes out, a reset that is not the API's doing.
        with httpx.Client(base_url=world.api, timeout=60,
                          limits=httpx.Limits(max_keepalive_connections=0)) as client:
            barrier.wait()
            for kind in rng.choices(kinds, weights, k=requests_per_client):
                _one(client, world, kind, outcome, rng)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    world.feedback_keys |= outcome.feedback_keys
    world.decided += outcome.decided
    return outcome


def verify(database_url: str, world: World) -> list[str]:
    """What the database holds that it should not, or lacks, against what the server accepted
    over every run; empty when all is well."""
    problems = []
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows, keys = conn.execute(text(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM feedback "
            "WHERE pilot_id = :p"), {"p": world.running_pilot.hex if
                                     engine.dialect.name == "sqlite" else world.running_pilot}
        ).one()
        decided = conn.execute(text(
            "SELECT pilot_id FROM approval WHERE decision = 'approved'")).scalars().all()
    engine.dispose()
    if rows != keys:
        problems.append(f"{rows - keys} feedback rows stored twice")
    if keys != len(world.feedback_keys):
        problems.append(f"{keys} feedback rows stored, {len(world.feedback_keys)} accepted")
    stored = {uuid.UUID(str(p)) for p in decided} & set(world.pending_ids)
    if stored != set(world.decided) or len(world.decided) != len(set(world.decided)):
        problems.append(f"{len(stored)} decisions stored, {len(world.decided)} accepted")
    return problems


__all__ = ["Outcome", "World", "run", "seed", "verify"]
