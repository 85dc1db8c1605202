"""The huey queue: SQLite under `LAB_HOME` by default, Redis when `LAB_REDIS_URL` is set."""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from lab.settings import get_settings


def make_huey() -> Huey:
    """Build the queue from the settings."""
    settings = get_settings()
    if settings.redis_url:
        return RedisHuey(settings.queue_name, url=settings.redis_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.queue_name, filename=str((settings.home / "huey.db").resolve()))


huey = make_huey()

__all__ = ["huey", "make_huey"]
