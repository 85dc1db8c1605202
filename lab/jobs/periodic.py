"""Tasks the worker runs on a schedule: the sandbox sweep, which expires grants past their
end and deletes the extracts of ended grants (every `LAB_SWEEP_INTERVAL_MINUTES`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from lab.jobs import runtime
from lab.jobs.queue import huey
from lab.sandbox import service as sandbox
from lab.settings import get_settings

logger = logging.getLogger("lab.jobs")


def every(minutes: int) -> Callable[[datetime], bool]:
    """A huey schedule that fires when the minute of the day is a multiple of `minutes`."""

    def due(moment: datetime) -> bool:
        return (moment.hour * 60 + moment.minute) % minutes == 0

    return due


@huey.periodic_task(every(get_settings().sweep_interval_minutes), name="sandbox-sweep")
def sandbox_sweep() -> None:
    """Expire grants past their end and delete ended grants' extracts."""
    with Session(runtime.get_engine()) as session:
        result = sandbox.sweep(session=session, storage=runtime.get_storage())
    if result.expired or result.extracts_deleted:
        logger.info("sandbox sweep: %d grants expired, %d extracts deleted", result.expired,
                    result.extracts_deleted)


__all__ = ["every", "sandbox_sweep"]
