"""Running the real platform (`lab up`) in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def poll(fn: Callable[[], T], timeout: float, interval: float = 0.25) -> T:
    """Call fn until it returns something truthy or the time is up; return the last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    return fn()


def processes_with_home(home: Path) -> list[int]:
    """Pids of processes whose environment names this LAB_HOME (our children carry it)."""
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


@dataclass
class Platform:
    home: Path
    api: str
    ui: str
    proc: subprocess.Popen[bytes]
    healthy_after: float
    output: str = ""


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def run_platform(tmp_path: Path, env_extra: dict[str, str] | None = None,
                 ui: bool = True, start_timeout: float = 300) -> Iterator[Platform]:
    """Start `lab up` on free ports and a fresh LAB_HOME (with `env_extra`, e.g. a database
    URL); SIGTERM it on exit."""
    home = (tmp_path / "home").resolve()
    api_port, ui_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "STORAGE_"))}
    env.update(LAB_HOME=str(home), LAB_API_PORT=str(api_port), LAB_UI_PORT=str(ui_port),
               LAB_ENV="development", **(env_extra or {}))
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "lab", "up"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{api_port}/api/v1"
    platform = Platform(home=home, api=api, ui=f"http://127.0.0.1:{ui_port}", proc=proc,
                        healthy_after=0.0)
    try:
        # The first start seeds the demo territory before the API answers.
        poll(lambda: _answers(f"{api}/health") or proc.poll() is not None, start_timeout)
        platform.healthy_after = time.monotonic() - started
        assert proc.poll() is None and _answers(f"{api}/health"), "lab up did not get healthy"
        assert not ui or poll(lambda: _answers(f"{platform.ui}/_stcore/health"), 60), "no UI"
        yield platform
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            platform.output = proc.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            platform.output = proc.communicate()[0].decode()
