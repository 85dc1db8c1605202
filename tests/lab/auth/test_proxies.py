"""The per-address login limit keys on the real client: forwarded headers are believed only
from the proxies in LAB_TRUSTED_PROXIES (issue 13); the per-account lock stays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from lab.app import create_app
from lab.auth.models import LoginThrottle, Role
from lab.deps import get_session
from lab.settings import LabSettings
from tests.factories import PASSWORD, make_user

PROXY = ("10.0.0.5", 40000)


def _app(settings: LabSettings, engine: Engine, session: Session, proxies: list[str]) -> FastAPI:
    app = create_app(settings.model_copy(update={"trusted_proxies": proxies}), engine=engine)

    def _session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _session
    return app


def _fail(client: TestClient, email: str, forwarded: str) -> int:
    return client.post("/api/v1/auth/token", headers={"X-Forwarded-For": forwarded},
                       data={"username": email, "password": "wrong password!"}).status_code


def _address_keys(session: Session) -> set[str]:
    session.expire_all()
    return set(session.exec(select(LoginThrottle.key)
                            .where(col(LoginThrottle.key).startswith("addr:"))).all())


def test_forwarded_for_is_ignored_from_an_untrusted_peer(
        settings: LabSettings, engine: Engine, session: Session) -> None:
    with TestClient(_app(settings, engine, session, []), client=PROXY) as client:
        assert _fail(client, "nobody@terrain.example", "203.0.113.9") == 401
    assert _address_keys(session) == {"addr:10.0.0.5"}


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
        settings: LabSettings, engine: Engine, session: Session) -> None:
    settings.login_max_failures = 2  # 8 failures lock an address, 2 an account
    app = _app(settings, engine, session, ["10.0.0.0/8"])
    victim = make_user(session, Role.city)
    with TestClient(app, client=PROXY) as client:
        # An attacker behind the proxy, spoofing a header of its own: the proxy appends the
        # address it saw, and that rightmost untrusted one is the client.
        statuses = [_fail(client, f"u{i}@terrain.example", "198.51.100.1, 203.0.113.9")
                    for i in range(9)]
        assert statuses[:8] == [401] * 8 and statuses[8] == 429
        assert _address_keys(session) == {"addr:203.0.113.9"}
        # Another citizen behind the same proxy logs in.
        ok = client.post("/api/v1/auth/token", headers={"X-Forwarded-For": "203.0.113.10"},
                         data={"username": victim.email, "password": PASSWORD})
        assert ok.status_code == 200, ok.text
        # The account lock still holds whatever the address.
        for address in ("203.0.113.20", "203.0.113.21"):
            assert _fail(client, victim.email, address) == 401
        locked = client.post("/api/v1/auth/token", headers={"X-Forwarded-For": "203.0.113.22"},
                             data={"username": victim.email, "password": PASSWORD})
        assert locked.status_code == 429


def test_a_proxy_setting_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        LabSettings(trusted_proxies="10.0.0.1,proxy.example")  # type: ignore[arg-type]
    assert LabSettings(trusted_proxies="10.0.0.1, 192.168.1.7/24").trusted_proxies == [  # type: ignore[arg-type]
        "10.0.0.1", "192.168.1.0/24"]
