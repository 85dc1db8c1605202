"""Benchmark: feedback submissions against the real API on PostgreSQL, two workers.

Setting: a scratch database on the local PostgreSQL (trust auth, 127.0.0.1:5432), migrated;
three running pilots (one per part, so each part's rows are counted apart), each with a
consent text and its own pool of enrolled web testers (rows written in bulk; JWTs minted
with the server's secret, as a login would). The API runs under uvicorn with two worker
processes, no access log, no object store (no photos are sent). The per-tester rate limit
stays on (30 an hour): pools are sized so that no tester reaches it.

1. capacity — wrk (Debian's package), 2 threads, 200 connections, a Lua script
   (bench/feedback_load.lua) giving every request its own Idempotency-Key and a token;
   20,000 submissions. Checks: rows stored == 201 answers, no 5xx.
2. latency — a steady offered load of 200 submissions a second for 30 s. Debian has no
   wrk2, so the rate is approximated with wrk's delay() hook: 40 connections, each waiting
   a random 100–300 ms (mean 200 ms) between its answer and its next request, i.e. about
   40 / (0.2 s + latency) ≈ 195/s while latency stays small. This is a closed loop: a slow
   answer delays the next request of its connection (coordinated omission), so p99 is
   reported together with the rate actually achieved.
3. retries under a fault — 5,000 submissions from 100 concurrent asyncio clients (httpx)
   that retry on timeouts, connection errors and 5xx with the same Idempotency-Key; the API
   is killed (SIGKILL to its process group: answers in flight are lost, some after their
   commit) once a third are stored, and started again. Checks: exactly 5,000 rows, no key
   stored twice.

    .venv/bin/python bench/feedback_load.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                            [--profile]   # py-spy on a worker during part 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from lab.auth import security  # noqa: E402
from lab.auth.models import User  # noqa: E402
from lab.citizens import codes  # noqa: E402
from lab.citizens.models import ConsentText, Enrollment, Tester  # noqa: E402
from lab.db import make_engine, upgrade  # noqa: E402
from lab.directory.models import Authority, Organization  # noqa: E402
from lab.pilots.models import Approval, Decision, Pilot, PilotStatus  # noqa: E402
from lab.pilots.protocol import Protocol, protocol_hash  # noqa: E402
from lab.prototypes.models import Prototype  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
LUA = ROOT / "bench" / "feedback_load.lua"
THREADS = 2
BODY = {"likert": {"comfort": 4, "light": 3}, "nps": 8, "sus": [4, 2, 4, 1, 5, 2, 4, 1, 5, 2],
        "free_text": {"remarks": "Retry part: la rue est mieux eclairee."}}
PROTOCOL = {
    "hypothesis": "Adaptive dimming cuts streetlight energy use by 20% at night.",
    "design": "before_after", "treated_zones": ["Z-T1"],
    "baseline": {"start": "2026-01-01T00:00:00+01:00", "end": "2026-03-01T00:00:00+01:00"},
    "pilot": {"start": "2026-03-01T00:00:00+01:00", "end": "2026-06-01T00:00:00+02:00"},
    "kpis": [{"name": "energy_kwh", "source": {"kind": "measurement", "unit": "kWh"},
              "direction": "decrease", "minimum_effect": 0.05, "success_threshold": 0.15,
              "primary": True}],
    "questionnaire": {
        "likert": [{"id": "comfort", "text_fr": "Je me sens en sécurité.",
                    "text_en": "I feel safe."},
                   {"id": "light", "text_fr": "La lumière suffit.",
                    "text_en": "The light is enough."}],
        "nps": True, "sus": True,
        "free_text": [{"id": "remarks", "text_fr": "Remarques ?", "text_en": "Remarks?"}]},
}


def ensure_wrk() -> str:
    """wrk from Debian's package, installed if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing Debian's wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env,
                      capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env,
                       capture_output=True, check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- database -------------------------------------------------------------------------------

def create_database(base: str) -> str:
    name = f"terrain_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(base: str, url: str) -> None:
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, pools: dict[str, int]) -> dict[str, tuple[uuid.UUID, list[str]]]:
    """One running pilot per part, each with enrolled testers; returns pilot and tokens."""
    engine = make_engine(url)
    hashed = security.hash_password("bench password, never used to log in")
    protocol = Protocol.model_validate(PROTOCOL)
    out: dict[str, tuple[uuid.UUID, list[str]]] = {}
    with engine.begin() as conn:
        authority_id, org_id, proto_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        conn.execute(insert(Authority).values(id=authority_id, name="Commune de Bench",
                                              level="commune", code="99999"))
        conn.execute(insert(Organization).values(id=org_id, name="Bench SAS", kind="startup"))
        conn.execute(insert(Prototype).values(
            id=proto_id, organization_id=org_id, name="LumiBench", domain="lighting",
            readiness_level=6, description="", contact_name="Ada",
            contact_email="ada@bench.example"))
        for part, size in pools.items():
            pilot_id = uuid.uuid4()
            conn.execute(insert(Pilot).values(
                id=pilot_id, prototype_id=proto_id, organization_id=org_id,
                title=f"Bench {part}", public_summary="", status=PilotStatus.running,
                protocol=protocol.model_dump(mode="json"), protocol_version=1,
                protocol_hash=protocol_hash(protocol), approved_protocol_version=1))
            conn.execute(insert(Approval).values(
                id=uuid.uuid4(), pilot_id=pilot_id, protocol_version=1,
                authority_id=authority_id, decision=Decision.approved))
            conn.execute(insert(ConsentText).values(
                id=uuid.uuid4(), pilot_id=pilot_id, version=1, instructions_fr="",
                instructions_en="", text_fr="Texte de consentement du banc d'essai.",
                text_en="Consent text of the benchmark."))
            ids = [uuid.uuid4() for _ in range(size)]
            conn.execute(insert(User), [
                {"id": i, "email": f"{part}-{n}@bench.example", "full_name": "",
                 "role": "citizen", "hashed_password": hashed, "is_active": True}
                for n, i in enumerate(ids)])
            conn.execute(insert(Tester), [
                {"id": i, "kind": "web", "user_id": i, "pseudonym": codes.new_pseudonym()}
                for i in ids])
            conn.execute(insert(Enrollment), [
                {"id": uuid.uuid4(), "tester_id": i, "pilot_id": pilot_id,
                 "consent_version": 1, "rate_count": 0} for i in ids])
            tokens = [security.create_access_token(
                user_id=i, role="citizen", secret=SECRET, lifetime=timedelta(hours=3)).token
                for i in ids]
            out[part] = (pilot_id, tokens)
    engine.dispose()
    return out


def stored_span(url: str, pilot_id: uuid.UUID) -> float:
    """Seconds between the first and the last row stored for a pilot."""
    engine = make_engine(url)
    with engine.connect() as conn:
        span = conn.execute(text(
            "SELECT EXTRACT(EPOCH FROM max(submitted_at) - min(submitted_at)) FROM feedback "
            "WHERE pilot_id = :p"), {"p": pilot_id}).scalar_one()
    engine.dispose()
    return float(span or 0.0)


def stored(url: str, pilot_id: uuid.UUID) -> tuple[int, int]:
    """Rows stored for a pilot, and idempotency keys stored more than once."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM feedback WHERE pilot_id = :p"),
                            {"p": pilot_id}).scalar_one()
        twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT idempotency_key FROM feedback WHERE pilot_id = :p "
            "GROUP BY idem_scope, idempotency_key HAVING count(*) > 1) AS d"),
            {"p": pilot_id}).scalar_one()
    engine.dispose()
    return int(rows), int(twice)


# -- the API --------------------------------------------------------------------------------

class Server:
    """uvicorn with two workers, in its own process group (so a fault kills all of it)."""

    def __init__(self, url: str, port: int, log: Path) -> None:
        self.url, self.port, self.log = url, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "LAB_DATABASE_URL": self.url, "LAB_SECRET_KEY": SECRET,
               "LAB_ENV": "production", "LAB_HOME": str(self.log.parent)}
        for name in ("STORAGE_ENDPOINT", "STORAGE_ACCESS_KEY", "STORAGE_SECRET_KEY"):
            env.pop(name, None)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "lab.app:create_app", "--factory",
                 "--workers", "2", "--host", "127.0.0.1", "--port", str(self.port),
                 "--no-access-log", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/v1/public/pilots",
                             timeout=2).status_code == 200:
                    # Both workers: a few more answers so each has imported everything.
                    for _ in range(8):
                        httpx.get(f"http://127.0.0.1:{self.port}/api/v1/public/pilots")
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the API did not start; see {self.log}")

    def workers(self) -> list[int]:
        assert self.proc is not None
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid), "-f", "spawn_main"],
                             capture_output=True, text=True).stdout.split()
        return [int(p) for p in out if int(p) != self.proc.pid]

    def kill(self) -> None:
        """A crash: every process of the server at once, nothing graceful."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None


def bench_app() -> Any:
    """The API as `lab.app:create_app` builds it, with the engine's pool sized for the
    threadpool when BENCH_POOL_SIZE is set (deployment configuration, not code)."""
    from lab.app import create_app
    from lab.settings import LabSettings

    settings = LabSettings()
    size = int(os.environ.get("BENCH_POOL_SIZE", "0"))
    if not size:
        return create_app(settings)
    engine = make_engine(settings.resolved_database_url, pool_size=size, max_overflow=0)
    return create_app(settings, engine=engine)


# -- the three parts ------------------------------------------------------------------------

def run_wrk(wrk: str, port: int, tokens: list[str], pilot_id: uuid.UUID, *, connections: int,
            duration: str, quota: int, pause_ms: int, run: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".tokens", delete=False) as fh:
        fh.write("\n".join(tokens) + "\n")
        path = fh.name
    try:
        done = subprocess.run(
            [wrk, "-t", str(THREADS), "-c", str(connections), "-d", duration, "--timeout", "10s",
             "-s", str(LUA), f"http://127.0.0.1:{port}", "--", path, str(pilot_id), str(quota),
             str(pause_ms), run],
            capture_output=True, text=True, env={**os.environ, "BENCH_WRK_THREADS": str(THREADS)})
    finally:
        os.unlink(path)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(line.removeprefix("BENCH ")))


async def retrying_clients(port: int, tokens: list[str], pilot_id: uuid.UUID, total: int,
                           clients: int, server: Server, url: str) -> dict[str, Any]:
    """`clients` workers share `total` submissions; each retries with the same key."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)
    results: dict[str, int] = {"created": 0, "replayed": 0, "other": 0}
    retries = {"count": 0, "server_errors": 0}
    latencies: list[float] = []
    endpoint = f"http://127.0.0.1:{port}/api/v1/pilots/{pilot_id}/feedback"

    async def worker(client: httpx.AsyncClient) -> None:
        while True:
            try:
                n = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}",
                       "Idempotency-Key": f"retry-{n}-{uuid.uuid4().hex}"}
            body = {**BODY, "nps": n % 11}
            while True:
                start = time.perf_counter()
                try:
                    response = await client.post(endpoint, json=body, headers=headers)
                except (httpx.TimeoutException, httpx.TransportError):
                    retries["count"] += 1
                    await asyncio.sleep(0.2 + random.random() * 0.3)
                    continue
                if response.status_code >= 500:
                    retries["server_errors"] += 1
                    retries["count"] += 1
                    await asyncio.sleep(0.2)
                    continue
                latencies.append(time.perf_counter() - start)
                kind = {201: "created", 200: "replayed"}.get(response.status_code, "other")
                results[kind] += 1
                break

    async def fault() -> float:
        while stored(url, pilot_id)[0] < total // 3:
            await asyncio.sleep(0.1)
        at = time.perf_counter()
        await asyncio.to_thread(server.kill)
        await asyncio.to_thread(server.start)
        return time.perf_counter() - at

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0), limits=limits) as client:
        fault_task = asyncio.create_task(fault())
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        downtime = await fault_task
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {**results, **retries, "elapsed_s": elapsed, "downtime_s": downtime,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)]}


def profile_workers(server: Server, seconds: int, out: Path) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy not found: pip install py-spy (skipping the profile)")
        return None
    pid = server.workers()[0]
    return subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(seconds), "-f", "raw",
                             "-o", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--submissions", type=int, default=20_000)
    parser.add_argument("--retry-submissions", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    wrk = ensure_wrk()
    url = create_database(args.pg)
    work = Path(tempfile.mkdtemp(prefix="terrain-bench-"))
    server = Server(url, free_port(), work / "api.log")
    report: dict[str, Any] = {}
    try:
        upgrade(url)
        # 30 submissions an hour per tester and pilot: pools leave room under that limit.
        pools = {"capacity": args.submissions // 20 + 1, "latency": 400,
                 "retries": args.retry_submissions // 20 + 1}
        started = time.perf_counter()
        setting = seed(url, pools)
        print(f"seeded {sum(pools.values())} testers in {time.perf_counter() - started:.1f} s; "
              f"API on 127.0.0.1:{server.port} (2 workers), database {make_url(url).database}",
              flush=True)
        server.start()

        pilot, tokens = setting["capacity"]
        spy = profile_workers(server, 15, work / "profile.txt") if args.profile else None
        part1 = run_wrk(wrk, server.port, tokens, pilot, connections=200, duration="120s",
                        quota=args.submissions, pause_ms=0, run="cap")
        rows, twice = stored(url, pilot)
        # From the rows' own timestamps: a thread that waits for a lost answer does not
        # stretch the measure.
        span = stored_span(url, pilot)
        part1.update(rows=rows, twice=twice, span_s=span, stored_per_s=rows / span)
        report["capacity"] = part1
        if spy is not None:
            spy.wait()
            report["profile"] = str(work / "profile.txt")

        pilot, tokens = setting["latency"]
        part2 = run_wrk(wrk, server.port, tokens, pilot, connections=40, duration="30s",
                        quota=0, pause_ms=200, run="lat")
        rows, twice = stored(url, pilot)
        part2.update(rows=rows, twice=twice,
                     achieved_per_s=part2["requests"] / (part2["duration_us"] / 1e6))
        report["latency"] = part2

        pilot, tokens = setting["retries"]
        part3 = asyncio.run(retrying_clients(server.port, tokens, pilot, args.retry_submissions,
                                             100, server, url))
        rows, twice = stored(url, pilot)
        part3.update(rows=rows, twice=twice)
        report["retries"] = part3
    finally:
        server.stop()
        drop_database(args.pg, url)
    _print(report, args.submissions, args.retry_submissions)


def _print(report: dict[str, Any], submissions: int, retry_total: int) -> None:
    c, lat, r = report["capacity"], report["latency"], report["retries"]
    ok1 = c["rows"] == c["created"] and c["server_errors"] == 0 and c["twice"] == 0
    print("\n== 1. capacity: wrk, 2 threads, 200 connections, "
          f"{submissions} submissions ==")
    print(f"  201 answers {c['created']}, rows stored {c['rows']}, 5xx {c['server_errors']}, "
          f"other 4xx {c['client_errors']}, socket errors connect/read/write/timeout "
          f"{c['connect_errors']}/{c['read_errors']}/{c['write_errors']}/{c['timeouts']}")
    print(f"  throughput {c['stored_per_s']:.0f} stored/s (rows over the {c['span_s']:.1f} s "
          f"between the first and last commit; wrk ran {c['duration_us'] / 1e6:.1f} s) "
          f"(target >= 600); latency p50 {c['p50_us'] / 1000:.1f} ms, "
          f"p99 {c['p99_us'] / 1000:.1f} ms  -> {'OK' if ok1 else 'MISMATCH'}")
    ok2 = lat["p99_us"] < 100_000 and lat["server_errors"] == 0
    print("\n== 2. latency: ~200/s offered for 30 s (wrk delay(): 40 connections, "
          "100-300 ms between requests) ==")
    print(f"  achieved {lat['achieved_per_s']:.0f}/s, {lat['created']} stored "
          f"(rows {lat['rows']}), 5xx {lat['server_errors']}, 4xx {lat['client_errors']}")
    print(f"  latency p50 {lat['p50_us'] / 1000:.1f} ms, p90 {lat['p90_us'] / 1000:.1f} ms, "
          f"p99 {lat['p99_us'] / 1000:.1f} ms, max {lat['max_us'] / 1000:.1f} ms "
          f"(target p99 < 100 ms) -> {'OK' if ok2 else 'MISSED'}")
    ok3 = r["rows"] == retry_total and r["twice"] == 0 and r["other"] == 0
    print(f"\n== 3. retries under a fault: {retry_total} submissions, 100 clients, "
          "API killed (SIGKILL) and restarted once ==")
    print(f"  answers: 201 {r['created']}, 200 (replayed) {r['replayed']}, other {r['other']}; "
          f"retries {r['count']} (of which 5xx {r['server_errors']}); "
          f"downtime {r['downtime_s']:.1f} s, elapsed {r['elapsed_s']:.1f} s")
    print(f"  rows stored {r['rows']} (expected {retry_total}), keys stored twice "
          f"{r['twice']}; latency p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms "
          f"-> {'OK' if ok3 else 'FAILED'}")
    if "profile" in report:
        print(f"\nprofile of one worker during part 1 (py-spy raw): {report['profile']}")


if __name__ == "__main__":
    main()
