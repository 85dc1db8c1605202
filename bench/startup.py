"""`make run` as a newcomer meets it: from a fresh clone to a working UI with the demo, then a
second start on the kept state.

Clones this repository into a temporary folder, runs `make run` there on free ports (the
install, the object store, the migrations, the demo seeding, the API, the worker and the UI),
waits until the API and the UI answer and the accounts table is printed, stops it, and starts
it again. Prints both times, the seeded sizes, and the ratio of each to its goal (first start
under 3 minutes including the install; later starts healthy under 10 s).

    python bench/startup.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FIRST_GOAL, LATER_GOAL = 180.0, 10.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start(clone: Path, api_port: int, ui_port: int, log: Path) -> tuple[float, float, str]:
    """Run `make run`; return (seconds to healthy API, seconds to UI + accounts, output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "STORAGE_"))}
    env.update(LAB_API_PORT=str(api_port), LAB_UI_PORT=str(ui_port), PYTHONUNBUFFERED="1")
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{api_port}/api/v1/health"
    ui = f"http://127.0.0.1:{ui_port}/_stcore/health"
    healthy = ready = None
    try:
        deadline = started + 900
        while time.monotonic() < deadline and proc.poll() is None:
            if healthy is None and _answers(api):
                healthy = time.monotonic() - started
            if healthy is not None and _answers(ui) and "password" in log.read_text():
                ready = time.monotonic() - started
                break
            time.sleep(0.2)
        if healthy is None or ready is None:
            raise RuntimeError(f"make run did not get ready; see {log}")
        return healthy, ready, log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone afterwards")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="terrain-startup-"))
    clone = tmp / "terrain"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    try:
        api_port, ui_port = _port(), _port()
        healthy1, ready1, output = start(clone, api_port, ui_port, tmp / "first.log")
        accounts = len(re.findall(r"^(admin|city|startup|mediator|citizen)\s", output, re.M))
        healthy2, ready2, _ = start(clone, api_port, ui_port, tmp / "second.log")
        var = clone / "var"
        db = sum(p.stat().st_size for p in var.glob("lab.db*"))
        s3 = sum(p.stat().st_size for p in (var / "s3").rglob("*") if p.is_file())
        print(f"first start (fresh clone, install + demo): API healthy {healthy1:.1f} s, "
              f"UI and {accounts} accounts shown {ready1:.1f} s "
              f"(goal {FIRST_GOAL:.0f} s: ratio {ready1 / FIRST_GOAL:.2f})")
        print(f"second start (state kept): API healthy {healthy2:.1f} s, UI {ready2:.1f} s "
              f"(goal {LATER_GOAL:.0f} s: ratio {healthy2 / LATER_GOAL:.2f})")
        print(f"seeded state: database {db / 2**20:.1f} MiB, object store {s3 / 2**20:.1f} MiB")
    finally:
        if args.keep:
            print(f"kept {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
