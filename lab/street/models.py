"""Spent form tokens of the quick feedback page (replays and rate limits)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class StreetUse(SQLModel, table=True):
    """One form token spent (accepted or refused as a bot), kept until the longest window
    passes: its id refuses replays, its client hash and pilot count the rate limits."""

    __tablename__ = "street_use"

    token_id: str = Field(primary_key=True, max_length=32)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True, ondelete="CASCADE")
    # HMAC of the client's address, never the address itself.
    client: str = Field(max_length=64, index=True)
    used_at: datetime = timestamp_field(index=True)


__all__ = ["StreetUse"]
