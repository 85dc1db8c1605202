"""What a job needs to run: the engine and the object store, built once per process."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from lab.db import make_engine
from lab.settings import get_settings

_state: dict[str, Any] = {}


def get_engine() -> Engine:
    """The process's engine (built from the settings on first use)."""
    if "engine" not in _state:
        _state["engine"] = make_engine(get_settings().resolved_database_url)
    engine: Engine = _state["engine"]
    return engine


def set_engine(engine: Engine | None) -> None:
    """Use this engine for jobs in this process (the API's own, or a test's)."""
    if engine is None:
        _state.pop("engine", None)
    else:
        _state["engine"] = engine


def get_storage() -> Any:
    """The process's object store client, or None when none is configured."""
    if "storage" not in _state:
        from lab.objectstore import client_from_settings

        _state["storage"] = client_from_settings()
    return _state["storage"]


def set_storage(client: Any) -> None:
    """Use this object store client for jobs in this process."""
    _state["storage"] = client


__all__ = ["get_engine", "get_storage", "set_engine", "set_storage"]
