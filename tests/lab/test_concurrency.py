"""16 clients at once against `lab up` on SQLite (issue 13): API-key requests, reads,
mediated feedback and decisions; no 5xx, no reset connection, and every accepted write
stored exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import load_mix
from tests.platform import run_platform

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def test_sixteen_clients_of_mixed_reads_and_writes_get_no_5xx_and_lose_nothing(
        tmp_path: Path) -> None:
    with run_platform(tmp_path, {"LAB_DEMO": "false"}, ui=False) as platform:
        database = f"sqlite:///{platform.home / 'lab.db'}"
        world = load_mix.seed(database, platform.api, pending=40)
        outcome = load_mix.run(world, clients=16, requests_per_client=25)
        problems = load_mix.verify(database, world)
    print(f"{outcome.requests} requests in {outcome.seconds:.1f} s, "
          f"p99 {outcome.p99_ms():.0f} ms, statuses {dict(outcome.statuses)}")
    assert outcome.server_errors == 0 and not outcome.errors, (outcome.statuses,
                                                               outcome.errors)
    assert outcome.statuses[201] > 20 and outcome.decided, outcome.statuses
    assert not problems, problems
