"""Why the sandbox refuses to hand something out.

    LabError                       (lab.exceptions)
    └── GrantNotUsable             409 grant-not-usable: the grant exists, but nothing is
        │                              issued for it now:
        │                              its extract is not ready, its pilot is not approved or
        │                              running, or too little time remains for credentials
        └── GrantEnded             410 grant-ended: the grant expired or was revoked:
                                       nothing, ever again

Each carries, in its detail, the reason a person can act on.
"""

from __future__ import annotations

from lab.exceptions import LabError


class GrantNotUsable(LabError):
    status, title, problem_type = 409, "Grant not usable", "grant-not-usable"


class GrantEnded(GrantNotUsable):
    status, title, problem_type = 410, "Grant ended", "grant-ended"


__all__ = ["GrantEnded", "GrantNotUsable"]
