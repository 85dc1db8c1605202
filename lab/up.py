"""`lab up`: the whole platform on one machine, stopped cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

from lab.settings import LabSettings

logger = logging.getLogger("lab.up")
UI_SCRIPT = Path(__file__).resolve().parent.parent / "ui" / "app.py"
# A civic blue instead of Streamlit's red: white on it and it on its own light tint (the
# selected language, the primary buttons) pass WCAG AA contrast, which the red (3.5:1) fails.
UI_THEME = ["--theme.primaryColor", "#1d4f91"]


@dataclass
class Supervisor:
    """Starts child processes in their own process groups and stops them all."""

    env: dict[str, str]
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, args: list[str], log: Path) -> None:
        """Start a child whose output goes to a log file."""
        handle = log.open("ab")
        self.children[name] = subprocess.Popen(
            args, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()

    def dead(self) -> list[str]:
        """Names of children that have exited."""
        return [name for name, proc in self.children.items() if proc.poll() is not None]

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every process group, wait, then SIGKILL what is left."""
        for proc in self.children.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=5)
            _signal_group(proc, signal.SIGKILL)  # stragglers left in the group


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class _Stop(Exception):
    pass


def _raise_stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


def wait_healthy(url: str, *, timeout: float, supervisor: Supervisor) -> None:
    """Poll the API's health until it answers 200 (bounded); fail early if a child dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dead := supervisor.dead():
            raise RuntimeError(f"{', '.join(dead)} exited during start-up; see the logs")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not report healthy within {timeout:.0f} s")


def run(settings: LabSettings) -> int:
    """Start object store, migrations, API, worker and UI; block until told to stop."""
    from lab.bootstrap import prepare

    started = time.monotonic()
    home = settings.home.resolve()
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    embedded = None
    supervisor: Supervisor | None = None
    try:
        env = dict(os.environ, LAB_HOME=str(home))
        embedded = prepare(settings, env)
        supervisor = Supervisor(env=env)
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        env["LAB_API_URL"] = api_url
        serve = [sys.executable, "-m", "lab", "serve", "--host", settings.api_host,
                 "--port", str(settings.api_port)]
        supervisor.start("api", serve, logs / "api.log")
        supervisor.start("worker", [sys.executable, "-m", "lab", "worker"],
                         logs / "worker.log")
        supervisor.start("ui", [sys.executable, "-m", "streamlit", "run", str(UI_SCRIPT),
                                "--server.port", str(settings.ui_port),
                                "--server.address", settings.api_host,
                                "--server.headless", "true",
                                "--browser.gatherUsageStats", "false",
                                # people see the app, not Streamlit's developer menu
                                "--client.toolbarMode", "viewer",
                                "--server.runOnSave", "false", *UI_THEME], logs / "ui.log")
        wait_healthy(f"{api_url}/api/v1/health", timeout=60, supervisor=supervisor)
        _say(f"Terrain is up in {time.monotonic() - started:.1f} s")
        _say(f"  API  {api_url}/docs")
        _say(f"  UI   http://{settings.api_host}:{settings.ui_port}")
        if embedded is not None:
            _say(f"  S3   {embedded.endpoint} (embedded SeaweedFS)")
        _say(f"  logs {logs}   (Ctrl-C to stop)")
        from lab.demo.accounts import read_accounts, table

        if rows := read_accounts(home):
            _say("\nAccounts on this installation (passwords generated here; kept in "
                 f"{home}):\n{table(rows)}\n")
        while not (dead := supervisor.dead()):
            time.sleep(0.5)
        _say(f"{', '.join(dead)} stopped unexpectedly; shutting down (see {logs})")
        return 1
    except _Stop:
        _say("Stopping…")
        return 0
    except Exception as exc:  # noqa: BLE001 - reported, then everything is stopped
        _say(f"lab up failed: {exc}")
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        if supervisor is not None:
            supervisor.stop()
        if embedded is not None:
            embedded.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


__all__ = ["Supervisor", "run", "wait_healthy"]
