"""Why the sandbox refuses to hand something out.

    LabError                       (lab.exceptions)
    └── GrantNotUsable             409 the grant exists, but nothing is issued for it now:
        │                              its extract is not ready, its pilot is not approved or
        │                              running, or too little time remains for credentials
        └── GrantEnded             410 the grant expired or was revoked: nothing, ever again

Each carries, in its detail, the reason a person can act on.
"""

from __future__ import annotations

from lab.exceptions import LabError


class GrantNotUsable(LabError):
    status, title = 409, "Grant not usable"


class GrantEnded(GrantNotUsable):
    status, title = 410, "Grant ended"


__all__ = ["GrantEnded", "GrantNotUsable"]
