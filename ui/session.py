"""Staying signed in across reloads and tabs, without the credential leaving the server.

At sign-in the UI trades the short-lived access token for an API key named after this web
session and keeps it here, in the Streamlit process, under an opaque random id. The browser
only holds that id, in a `SameSite=Strict` cookie; Streamlit reads it back from the
websocket's handshake (`st.context.cookies`) on a reload or in a new tab. Sign-out revokes
the key and forgets the entry; an idle or too old entry is revoked the same way.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ui.client import ApiClient, ApiError

COOKIE = "terrain_session"
IDLE_SECONDS = 8 * 3600
MAX_SECONDS = 12 * 3600
KEY_NAME = "Session web Terrain"


@dataclass
class Entry:
    key: str
    key_id: str
    user: dict[str, Any]
    created: float = field(default_factory=time.monotonic)
    seen: float = field(default_factory=time.monotonic)
    lang: str = "fr"


class SessionStore:
    """Web sessions by opaque id; thread-safe (Streamlit serves each browser in a thread)."""

    def __init__(self, idle: float = IDLE_SECONDS, lifetime: float = MAX_SECONDS) -> None:
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self.idle, self.lifetime = idle, lifetime

    def open(self, *, email: str, password: str, api: ApiClient | None = None) -> str:
        """Sign in: a new session id for these credentials (raises ApiError)."""
        base = api or ApiClient()
        token = base.login(email, password)
        signed = ApiClient(base_url=base.base_url, token=token)
        key = signed.create_api_key(KEY_NAME)
        user = ApiClient(base_url=base.base_url, token=str(key["key"])).me()
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._entries[sid] = Entry(key=str(key["key"]), key_id=str(key["id"]), user=user)
        return sid

    def get(self, sid: str | None) -> Entry | None:
        """The live entry of a session id, or None (and a stale one is closed)."""
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(sid)
            if entry is None:
                return None
            if now - entry.seen > self.idle or now - entry.created > self.lifetime:
                del self._entries[sid]
                stale: Entry | None = entry
            else:
                entry.seen, stale = now, None
        if stale is not None:
            _revoke(stale)
            return None
        return entry

    def close(self, sid: str | None) -> None:
        """Sign out: revoke the session's key and forget it."""
        with self._lock:
            entry = self._entries.pop(sid or "", None)
        if entry is not None:
            _revoke(entry)

    def clear(self) -> None:
        """Forget every session (tests; the keys stay valid until revoked)."""
        with self._lock:
            self._entries.clear()

    def __contains__(self, sid: object) -> bool:
        with self._lock:
            return sid in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _revoke(entry: Entry) -> None:
    try:
        ApiClient(token=entry.key).revoke_api_key(entry.key_id)
    except ApiError:
        pass  # already revoked, user disabled, or the API is down: the key is useless then


def cookie_script(sid: str | None, max_age: int = MAX_SECONDS) -> str:
    """The tiny script that sets (or, with None, deletes) the session cookie."""
    value, age = (sid, max_age) if sid else ("", 0)
    cookie = json.dumps(f"{COOKIE}={value}; Path=/; Max-Age={age}; SameSite=Strict")
    return (f"<script>document.cookie = {cookie} + "
            "(location.protocol === 'https:' ? '; Secure' : '');</script>")


STORE = SessionStore()

__all__ = ["COOKIE", "STORE", "Entry", "SessionStore", "cookie_script"]
