"""`lab up` on free ports and a temporary LAB_HOME: healthy, working worker, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _processes_with_home(home: Path) -> list[int]:
    marker = f"LAB_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _poll(fn, timeout: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.25)
    return fn()


def test_lab_up_serves_api_ui_and_worker_then_stops_every_child(tmp_path: Path) -> None:
    home = (tmp_path / "home").resolve()
    api_port, ui_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "STORAGE_"))}
    env.update(LAB_HOME=str(home), LAB_API_PORT=str(api_port), LAB_UI_PORT=str(ui_port),
               LAB_ENV="development")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "lab", "up"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{api_port}/api/v1"
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return proc.poll() is not None

        assert _poll(healthy, 120) and proc.poll() is None, "lab up did not become healthy"
        print(f"lab up healthy after {time.monotonic() - started:.1f} s")

        def ui_up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{ui_port}/_stcore/health",
                                 timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert _poll(ui_up, 60), "the UI did not answer"

        email, password = (home / "admin-password.txt").read_text().split()
        token = httpx.post(f"{api}/auth/token", data={"username": email,
                                                      "password": password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        job = httpx.post(f"{api}/admin/jobs/selfcheck", headers=headers).json()

        def job_done() -> dict | None:  # type: ignore[type-arg]
            state = httpx.get(f"{api}/jobs/{job['id']}", headers=headers).json()
            return state if state["status"] in ("done", "failed") else None

        final = _poll(job_done, 60)
        assert final and final["status"] == "done", final
        assert _processes_with_home(home), "children should carry LAB_HOME"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output = proc.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0].decode()
    assert proc.returncode == 0, output
    assert "Terrain is up" in output and f":{ui_port}" in output
    leftovers = _poll(lambda: not _processes_with_home(home), 10)
    assert leftovers, f"processes left behind: {_processes_with_home(home)}"
