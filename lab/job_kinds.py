"""Every module that defines job kinds, imported by the API and the worker alike."""

from lab.datasets import versions as _datasets  # noqa: F401
from lab.evaluations import runner as _evaluations  # noqa: F401
from lab.jobs import builtin as _builtin  # noqa: F401
