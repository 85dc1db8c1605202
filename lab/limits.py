"""Request body limits per route, enforced before the body is parsed (an ASGI middleware).

A JSON body is read whole before validation, so a 6 MB ring would be parsed before any
vertex count could refuse it; these limits refuse it from its `Content-Length`, or as soon
as a chunked body passes the limit, with a 422 that names the limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lab.errors import problem

_MIB = 1024 * 1024


@dataclass(frozen=True)
class BodyRule:
    methods: frozenset[str]
    path: re.Pattern[str]
    max_bytes: int
    what: str


def geometry_rules(prefix: str) -> list[BodyRule]:
    """Zones and assets: one geometry per request (2 MiB), or a GeoJSON import (32 MiB)."""
    item = re.compile(rf"^{re.escape(prefix)}/(zones|assets)(/[^/]+)?/?$")
    bulk = re.compile(rf"^{re.escape(prefix)}/(zones|assets)/import/?$")
    return [BodyRule(frozenset({"POST"}), bulk, 32 * _MIB, "a GeoJSON import"),
            BodyRule(frozenset({"POST", "PATCH", "PUT"}), item, 2 * _MIB, "a zone or an asset")]


def _message(rule: BodyRule) -> str:
    return (f"The request body is larger than {rule.max_bytes:,} bytes, the limit for "
            f"{rule.what}; simplify the geometries or split the import.")


class BodyLimit:
    """Refuse bodies past the first matching rule's size (rules are tried in order)."""

    def __init__(self, app: ASGIApp, rules: Sequence[BodyRule]) -> None:
        self.app = app
        self.rules = list(rules)

    def _rule(self, scope: Scope) -> BodyRule | None:
        for rule in self.rules:
            if scope["method"] in rule.methods and rule.path.match(scope["path"]):
                return rule
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule(scope) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > rule.max_bytes:
            await problem(422, _message(rule), title="Request body too large",
                          errors=[{"field": "body", "message": _message(rule),
                                   "type": "too_large"}])(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message: dict[str, Any] = dict(await receive())
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > rule.max_bytes:
                    # FastAPI lets an HTTPException out of body reading (others become 400).
                    raise HTTPException(422, detail=_message(rule))
            return message

        await self.app(scope, counted, send)


__all__ = ["BodyLimit", "BodyRule", "geometry_rules"]
