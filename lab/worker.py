"""The queue with every job kind registered: `huey_consumer lab.worker.huey`."""

from lab import job_kinds as _job_kinds  # noqa: F401  (registers job kinds)
from lab.jobs.queue import huey

__all__ = ["huey"]
