"""The queue with every job kind registered: `huey_consumer lab.worker.huey`."""

from lab.jobs import builtin as _builtin  # noqa: F401  (registers job kinds)
from lab.jobs.queue import huey

__all__ = ["huey"]
