"""Application settings (`LAB_` environment variables)."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PositiveInt, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "changethis", "change-me", "changeme", "secret", "please-change", "xxx", "dev"}
)
_MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message says which variable to set."""


class LabSettings(BaseSettings):
    """Settings of the application; every field is read from `LAB_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="LAB_", extra="ignore")

    home: Path = Path("./var")
    database_url: str | None = None
    secret_key: SecretStr | None = None
    env: Literal["development", "test", "production"] = "development"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    ui_port: int = 8501
    api_url: str | None = None
    redis_url: str | None = None
    # Jobs: the queue's name (its key prefix in Redis: several deployments, or test runs, can
    # share one server), how long a worker's claim on a running job lasts without renewal
    # (a job whose worker died is taken over after at most this long, plus half of it for
    # the next check), and how many times a job is started before it is failed.
    queue_name: str = Field(default="terrain", min_length=1, max_length=64,
                            pattern=r"^[A-Za-z0-9_.-]+$")
    job_lease_seconds: int = Field(default=60, ge=2, le=3600)
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    access_token_minutes: int = 15
    login_max_failures: int = 5
    login_window_minutes: int = 15
    cors_origins: list[str] = []
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or
    # networks, comma-separated (`10.0.0.2,192.168.0.0/24`). Empty: the peer is the client.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Threads that run sync routes in each API process (anyio's default is 40). Fewer
    # threads mean less contention under a burst; each holds at most one connection.
    worker_threads: PositiveInt = 8
    # Development only: fill an empty database with the demo territory on `lab up`.
    demo: bool = True
    # Citizens: public sign-ups per client address, feedback per tester and pilot.
    signup_rate_limit: int = 10
    signup_window_minutes: int = 60
    feedback_rate_limit: int = 30
    feedback_window_minutes: int = 60
    # Feedback from the street (the quick page behind a pilot's QR code): the public base
    # URL printed in QR codes (default: the API address) and of the UI's pilot pages
    # (default: the UI address); a form's lifetime; answers per client address and per pilot
    # in a window.
    public_url: str | None = None
    ui_public_url: str | None = None
    street_form_minutes: PositiveInt = 30
    street_rate_per_address: PositiveInt = 5
    street_rate_per_pilot: PositiveInt = 300
    street_window_minutes: PositiveInt = 10
    # Largest dataset upload accepted, in bytes (refused with 413 past it).
    max_upload_bytes: PositiveInt = 1024 * 1024 * 1024
    # Sandbox: days a grant outlives its pilot (0 to 7), minutes between sweeps that expire
    # grants (1 to 60), and the largest measurement file a startup uploads, in bytes.
    grant_grace_days: int = 7
    sweep_interval_minutes: int = 5
    measurement_max_bytes: PositiveInt = 100 * 1024 * 1024

    @field_validator("grant_grace_days")
    @classmethod
    def _grace(cls, value: int) -> int:
        if not 0 <= value <= 7:
            raise ValueError("LAB_GRANT_GRACE_DAYS must be between 0 and 7")
        return value

    @field_validator("sweep_interval_minutes")
    @classmethod
    def _sweep_interval(cls, value: int) -> int:
        if not 1 <= value <= 60:
            raise ValueError("LAB_SWEEP_INTERVAL_MINUTES must be between 1 and 60")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            return value
        proxies = []
        for proxy in (str(item).strip() for item in items if str(item).strip()):
            try:
                network = ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"LAB_TRUSTED_PROXIES: {proxy!r} is not an IP address or "
                                 "network (e.g. 10.0.0.2 or 10.0.0.0/8)") from None
            proxies.append(str(network) if "/" in proxy else str(network.network_address))
        return proxies

    @field_validator("access_token_minutes")
    @classmethod
    def _short_lived(cls, value: int) -> int:
        if not 1 <= value <= 24 * 60:
            raise ValueError("LAB_ACCESS_TOKEN_MINUTES must be between 1 and 1440")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under `LAB_HOME`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'lab.db').resolve()}"

    @property
    def resolved_api_url(self) -> str:
        """The URL the UI and tools use to reach the API."""
        return self.api_url or f"http://{self.api_host}:{self.api_port}"

    @property
    def resolved_public_url(self) -> str:
        """The base of public addresses (QR codes, posters), without a trailing slash."""
        return (self.public_url or self.resolved_api_url).rstrip("/")

    @property
    def resolved_ui_public_url(self) -> str:
        """The base of the UI's public pages, without a trailing slash."""
        return (self.ui_public_url or f"http://{self.api_host}:{self.ui_port}").rstrip("/")

    def jwt_secret(self) -> str:
        """The signing secret; refuses placeholders in production, generates one in development."""
        value = self.secret_key.get_secret_value() if self.secret_key else ""
        if self.env == "production":
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < _MIN_SECRET_LENGTH:
                raise SettingsError(
                    "LAB_SECRET_KEY is missing or a placeholder: set LAB_SECRET_KEY to a random "
                    f"string of at least {_MIN_SECRET_LENGTH} characters "
                    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
                )
            return value
        if value:
            return value
        return _development_secret(self.home)

    def validate_for_startup(self) -> None:
        """Fail fast with a clear message when the configuration cannot run."""
        self.jwt_secret()


def _development_secret(home: Path) -> str:
    path = home / "secret_key"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


@lru_cache(maxsize=1)
def get_settings() -> LabSettings:
    """The process-wide settings (cached; tests build their own instances)."""
    return LabSettings()


__all__ = ["LabSettings", "SettingsError", "get_settings", "PLACEHOLDER_SECRETS"]
