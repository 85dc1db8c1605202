"""Benchmark: mixed load against `lab up`, on the embedded default (SQLite, SeaweedFS) and on
PostgreSQL, at 16 and 64 concurrent clients (issue 13).

Each run starts `lab up` on free ports and a fresh LAB_HOME (no demo data), seeds one
territory (tests/load_mix.py: a running pilot, pilots awaiting a decision, API keys), then
drives the mix of tests/load_mix.py from client threads, each with its own connection:
30 % `GET /me` with an API key (a write: `last_used_at`), 30 % reads, 25 % anonymous mediated
feedback, 5 % retries of accepted feedback, 10 % decisions. Printed per run: requests per
second, p99 latency, the count of 5xx and of failed connections, and whether every accepted
write was stored once; then the SQLite / PostgreSQL throughput ratio.

The load generator shares the machine (2 cores) with the API, its worker, the UI and the
object store: figures are for comparing runs here, not capacity planning.

    .venv/bin/python bench/load.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                   [--requests 800]   # per run, split across the clients
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from lab.db import make_engine  # noqa: E402
from tests import load_mix  # noqa: E402
from tests.platform import run_platform  # noqa: E402

CLIENTS = (16, 64)


def _scratch_database(base: str) -> str:
    name = f"terrain_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _drop_database(base: str, url: str) -> None:
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def bench(label: str, pg_base: str | None, total: int) -> list[dict[str, Any]]:
    """Both client counts on one platform and one database."""
    url = _scratch_database(pg_base) if pg_base else None
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            extra = {"LAB_DEMO": "false"} | ({"LAB_DATABASE_URL": url} if url else {})
            with run_platform(Path(tmp), extra, ui=False, start_timeout=600) as platform:
                database = url or f"sqlite:///{platform.home / 'lab.db'}"
                world = load_mix.seed(database, platform.api, pending=total // 4)
                load_mix.run(world, clients=4, requests_per_client=10)  # warm-up
                for clients in CLIENTS:
                    outcome = load_mix.run(world, clients=clients,
                                           requests_per_client=max(1, total // clients))
                    problems = load_mix.verify(database, world)
                    rows.append({"db": label, "clients": clients,
                                 "requests": outcome.requests,
                                 "rps": outcome.requests / outcome.seconds,
                                 "p99_ms": outcome.p99_ms(), "5xx": outcome.server_errors,
                                 "failed": sum(outcome.errors.values()),
                                 "stored_once": not problems})
                    _print(rows[-1])
    finally:
        if pg_base and url:
            _drop_database(pg_base, url)
    return rows


def _print(row: dict[str, Any]) -> None:
    print(f"{row['db']:<10} {row['clients']:>3} clients  {row['requests']:>5} requests  "  # noqa: T201
          f"{row['rps']:7.1f} req/s  p99 {row['p99_ms']:7.0f} ms  5xx {row['5xx']:>4}  "
          f"failed connections {row['failed']:>4}  stored once: {row['stored_once']}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--requests", type=int, default=800)
    args = parser.parse_args()
    sqlite = bench("sqlite", None, args.requests)
    postgres = bench("postgresql", args.pg, args.requests)
    for lite, pg in zip(sqlite, postgres, strict=True):
        print(f"{lite['clients']:>3} clients: PostgreSQL / SQLite throughput = "  # noqa: T201
              f"{pg['rps'] / lite['rps']:.2f}")


if __name__ == "__main__":
    main()
