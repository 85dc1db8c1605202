"""An embedded SeaweedFS server (``weed mini``) for development and tests.

It binds to 127.0.0.1 on free ports, keeps its data and generated root credentials under
one home directory, and is ready only once a signed S3 call succeeds and an anonymous one
is refused: started without credentials, ``weed mini`` would serve anyone.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx
import urllib3
from minio import Minio
from pydantic import SecretStr

from storage.client import make_client
from storage.exceptions import EmbeddedServerError
from storage.settings import StorageSettings
from storage.weed import GRPC_OFFSET, HOST, find_weed, load_or_create_credentials, pick_ports

__all__ = ["EmbeddedS3"]

_SERVICES = ("s3", "master", "volume", "filer", "admin")
_START_ATTEMPTS = 3
# Variables that weed reads as fallbacks for flags, or that would alter its identities.
_SCRUBBED_ENV = ("S3_BUCKET", "S3_TABLE_BUCKET", "S3_EXTERNAL_URL", "AWS_SESSION_TOKEN")


class _PortTaken(EmbeddedServerError):
    """A port we picked was taken before weed could bind it; worth another try."""


class EmbeddedS3:
    """Runs ``weed mini`` under ``home`` (data, log, credentials); a context manager."""

    def __init__(
        self,
        home: str | Path,
        *,
        binary: str | Path | None = None,
        region: str = "us-east-1",
        ready_timeout: float = 30.0,
        stop_timeout: float = 15.0,
    ) -> None:
        self.home = Path(home)
        self.region = region
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self._binary = binary
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_offset = 0
        self._ports: dict[str, int] = {}
        self._access_key = ""
        self._secret_key = ""

    # -- locations and credentials ------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        """Where SeaweedFS keeps its volumes and metadata."""
        return self.home / "data"

    @property
    def log_path(self) -> Path:
        """The server's combined stdout and stderr."""
        return self.home / "weed.log"

    @property
    def credentials_path(self) -> Path:
        """The generated root credentials (mode 0600)."""
        return self.home / "credentials.json"

    # -- what clients need ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _require_started(self) -> None:
        if self._proc is None:
            raise EmbeddedServerError("the embedded S3 server is not started")

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 API."""
        self._require_started()
        return f"{HOST}:{self._ports['s3']}"

    @property
    def endpoint_url(self) -> str:
        """``http://host:port`` of the S3 API."""
        return f"http://{self.endpoint}"

    @property
    def access_key(self) -> str:
        """Root access key."""
        self._require_started()
        return self._access_key

    @property
    def secret_key(self) -> str:
        """Root secret key."""
        self._require_started()
        return self._secret_key

    @property
    def pid(self) -> int:
        """Process id of ``weed mini`` (also its process group id)."""
        self._require_started()
        assert self._proc is not None
        return self._proc.pid

    @property
    def ports(self) -> dict[str, int]:
        """HTTP port of each service (gRPC ports are these plus 10000)."""
        return dict(self._ports)

    def client(self, http_client: urllib3.PoolManager | None = None) -> Minio:
        """A root ``Minio`` client for this server."""
        return make_client(
            endpoint=self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            http_client=http_client,
        )

    def settings(self, **overrides: object) -> StorageSettings:
        """``StorageSettings`` pointing at this server, for code that takes settings."""
        values: dict[str, object] = {
            "endpoint": self.endpoint,
            "access_key": SecretStr(self.access_key),
            "secret_key": SecretStr(self.secret_key),
            "region": self.region,
            "secure": False,
        }
        values.update(overrides)
        return StorageSettings.model_validate(values)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> Self:
        """Start the server and wait until it serves authenticated S3 requests only."""
        if self.running:
            return self
        self.home.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        self._access_key, self._secret_key = load_or_create_credentials(self.credentials_path)
        binary = find_weed(self._binary)
        for attempt in range(1, _START_ATTEMPTS + 1):
            self._launch(binary)
            try:
                self._wait_ready()
            except _PortTaken:
                self._terminate()
                if attempt == _START_ATTEMPTS:
                    raise
                continue
            except BaseException:
                self._terminate()
                raise
            atexit.register(self.stop)
            return self
        raise AssertionError("unreachable")

    def _launch(self, binary: Path) -> None:
        self._ports = dict(zip(_SERVICES, pick_ports(len(_SERVICES)), strict=True))
        args = [
            str(binary),
            # One log, weed.log: glog would otherwise leave files in the system temp dir (and
            # lose its buffered INFO lines on SIGTERM). It logs lifecycle events, not requests.
            "-logtostderr=true",
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            "-master.telemetry=false",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-volume.preStopSeconds=0",
            # MinIO answers NoSuchBucket to a PUT into a missing bucket; weed would create it.
            "-s3.autoCreateBucket=false",
            # Smaller than the auto-sized 1 GiB: weed caps the volume count at free disk / size,
            # and every bucket that holds data takes a volume of its own.
            "-master.volumeSizeLimitMB=256",
            *(f"-{service}.port={port}" for service, port in self._ports.items()),
        ]
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env["AWS_ACCESS_KEY_ID"] = self._access_key
        env["AWS_SECRET_ACCESS_KEY"] = self._secret_key
        self._log = open(self.log_path, "ab")  # closed in _terminate
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        self._log.write(f"\n--- {stamp} starting weed mini, ports {self._ports}\n".encode())
        self._log.flush()
        self._log_offset = self._log.tell()
        # Its own session and process group: stop() signals the whole group.
        self._proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.home,
            start_new_session=True,
        )

    def log_tail(self, chars: int = 4000) -> str:
        """The end of what the current (or last) run wrote to its log."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._log_offset)
                text = fh.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return text[-chars:]

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.ready_timeout
        quick = urllib3.PoolManager(timeout=urllib3.Timeout(total=2.0), retries=False)
        client = self.client(http_client=quick)
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                tail = self.log_tail()
                if "is not available" in tail and "Port allocation failed" in tail:
                    raise _PortTaken(f"a chosen port was taken: {tail[-500:]}")
                raise EmbeddedServerError(f"weed mini exited with status {code}:\n{tail}")
            try:
                client.list_buckets()
                anonymous = httpx.get(self.endpoint_url + "/", timeout=2.0)
            except Exception as exc:  # not up yet: connection refused, 503, ...
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if anonymous.status_code == 403:
                    return
                last_problem = f"anonymous request answered {anonymous.status_code}, not 403"
            time.sleep(0.1)
        raise EmbeddedServerError(
            f"weed mini not ready after {self.ready_timeout:.0f} s ({last_problem}):\n"
            f"{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server: SIGTERM to its process group, then SIGKILL if it lingers."""
        self._terminate()

    def _terminate(self) -> None:
        proc = self._proc
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=self.stop_timeout)
                except ProcessLookupError:
                    pass
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired as exc:
                        raise EmbeddedServerError(f"weed mini {proc.pid} survived SIGKILL") from exc
            self._remove_sockets()
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        atexit.unregister(self.stop)

    def _remove_sockets(self) -> None:
        # weed leaves unix sockets named after its ports in $TMPDIR; ours are ours to remove.
        tmpdir = Path(os.environ.get("TMPDIR") or "/tmp")
        for port in self._ports.values():
            for number in (port, port + GRPC_OFFSET):
                for path in tmpdir.glob(f"seaweedfs-*-{number}.sock"):
                    if path.is_socket():
                        path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
