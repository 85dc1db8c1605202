"""What a grant covers, worked out from the approved protocol: pure, no database, no S3.

A grant's scope is the intersection of what the pilot asked and what it may have:
columns the dataset has (its time and zone columns always, or the rows mean nothing),
zones of the pilot (treated or control), and a window inside the pilot's periods
(baseline start to pilot end). It ends no later than the pilot's end plus a grace period.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lab.pilots.protocol import DatasetRequest, Protocol

MAX_GRACE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ExtractScope:
    """The rows and columns a grant lets out of the datasets bucket."""

    columns: tuple[str, ...]
    zones: tuple[str, ...]
    start: datetime
    end: datetime
    time_column: str
    zone_column: str

    def as_json(self) -> dict[str, object]:
        """The scope as the manifest records it."""
        return {"columns": list(self.columns), "zones": list(self.zones),
                "window": {"start": self.start.isoformat(), "end": self.end.isoformat()},
                "time_column": self.time_column, "zone_column": self.zone_column}


def requests_by_dataset(protocol: Protocol) -> dict[uuid.UUID, list[DatasetRequest]]:
    """The protocol's dataset requests, grouped by dataset, in the order first requested."""
    grouped: dict[uuid.UUID, list[DatasetRequest]] = {}
    for request in protocol.datasets:
        grouped.setdefault(request.dataset_id, []).append(request)
    return grouped


def scope_for(*, protocol: Protocol, requests: Sequence[DatasetRequest],
              dataset_columns: Sequence[str], time_column: str,
              zone_column: str) -> ExtractScope:
    """The scope of one dataset's grant; several requests of one dataset are merged."""
    if not requests:
        raise ValueError("a grant needs at least one dataset request")
    available = list(dataset_columns)
    for role, column in (("time", time_column), ("zone", zone_column)):
        if column not in available:
            raise ValueError(f"the dataset's {role} column {column!r} is not in its version")
    asked = {time_column, zone_column}
    for request in requests:
        asked |= set(request.columns)
    # Dataset order, so an extract reads like its source; unknown names are dropped.
    columns = tuple(c for c in available if c in asked)
    pilot_zones = protocol.zones()
    zones = tuple(sorted({z for r in requests for z in r.zones} & pilot_zones))
    start = max(min(r.window.start for r in requests), protocol.baseline.start)
    end = min(max(r.window.end for r in requests), protocol.pilot.end)
    if not zones:
        raise ValueError("none of the requested zones is a zone of the pilot")
    if end <= start:
        raise ValueError("the requested window lies outside the pilot's periods")
    return ExtractScope(columns=columns, zones=zones, start=start, end=end,
                        time_column=time_column, zone_column=zone_column)


def expiry_for(protocol: Protocol, *, grace: timedelta) -> datetime:
    """When a grant ends: the pilot's end plus the grace period (at most seven days)."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise ValueError(f"the grace period must lie between 0 and {MAX_GRACE}")
    return protocol.pilot.end + grace


__all__ = ["MAX_GRACE", "ExtractScope", "expiry_for", "requests_by_dataset", "scope_for"]
