"""`lab reset`: forget this installation's state (database, objects, generated accounts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from lab.settings import LabSettings
from storage import StorageSettings, make_client_from_settings

# Files under LAB_HOME that belong to the state; the secret key and the logs stay.
STATE_FILES = ("lab.db", "lab.db-wal", "lab.db-shm", "huey.db", "huey.db-wal", "huey.db-shm",
               "admin-password.txt", "demo-accounts.txt")


class PlatformRunning(RuntimeError):
    """The platform answers on its port: stop it before resetting."""


def _running(settings: LabSettings) -> bool:
    try:
        url = f"http://{settings.api_host}:{settings.api_port}/api/v1/health"
        return httpx.get(url, timeout=1).status_code < 500
    except httpx.HTTPError:
        return False


def reset(settings: LabSettings) -> list[str]:
    """Remove the state; returns what was removed, in words."""
    if _running(settings):
        raise PlatformRunning(f"Terrain answers on port {settings.api_port}: stop `lab up` first.")
    home = settings.home.resolve()
    done: list[str] = []
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        for name in STATE_FILES[:6]:
            path = home / name
            if path.exists():
                path.unlink()
                done.append(f"removed {path}")
    else:
        from lab.db import downgrade

        downgrade(url, "base")
        done.append(f"emptied the database {make_url(url).render_as_string(hide_password=True)}")
    for name in STATE_FILES[6:]:
        if (home / name).exists():
            (home / name).unlink()
            done.append(f"removed {home / name}")
    storage = StorageSettings()
    if storage.endpoint:
        client = make_client_from_settings(storage)
        for bucket in client.list_buckets():
            if bucket.name.startswith(storage.bucket_prefix):
                for item in client.list_objects(bucket.name, recursive=True):
                    client.remove_object(bucket.name, item.object_name or "")
                done.append(f"emptied bucket {bucket.name}")
    elif (home / "s3").exists():
        shutil.rmtree(home / "s3")
        done.append(f"removed the embedded object store's data {home / 's3'}")
    return done


def state_dir(settings: LabSettings) -> Path:
    """Where the state lives (for the confirmation prompt)."""
    return settings.home.resolve()


__all__ = ["PlatformRunning", "reset", "state_dir"]
