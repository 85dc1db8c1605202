"""`lab up` on free ports and a temporary LAB_HOME: healthy, working worker, clean stop."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.platform import poll, processes_with_home, run_platform

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def test_lab_up_serves_api_ui_and_worker_then_stops_every_child(tmp_path: Path) -> None:
    # the demo is seeded and walked by the browser tests; here only the processes matter
    with run_platform(tmp_path, {"LAB_DEMO": "false"}) as platform:
        print(f"lab up healthy after {platform.healthy_after:.1f} s")
        email, password = (platform.home / "admin-password.txt").read_text().split()
        token = httpx.post(f"{platform.api}/auth/token",
                           data={"username": email, "password": password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        job = httpx.post(f"{platform.api}/admin/jobs/selfcheck", headers=headers).json()

        def finished() -> dict | None:  # type: ignore[type-arg]
            state = httpx.get(f"{platform.api}/jobs/{job['id']}", headers=headers).json()
            return state if state["status"] in ("done", "failed") else None

        final = poll(finished, 60)
        assert final and final["status"] == "done", final  # the worker process ran it
        assert len(processes_with_home(platform.home)) >= 4  # api, worker, ui, weed
    assert platform.proc.returncode == 0, platform.output
    assert "Terrain is up" in platform.output and platform.ui in platform.output
    assert poll(lambda: not processes_with_home(platform.home), 10), (
        f"processes left behind: {processes_with_home(platform.home)}")
