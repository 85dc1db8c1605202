"""Settings of the storage package, read from ``STORAGE_*`` environment variables."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["StorageSettings"]

# Well-known defaults that must never protect a real server.
_PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "changethis", "minioadmin", "password", "secret", "admin", "test"}
)


class StorageSettings(BaseSettings):
    """Where the object store is and how to reach it; no endpoint means the embedded server."""

    model_config = SettingsConfigDict(env_prefix="STORAGE_", extra="ignore")

    endpoint: str | None = None
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    region: str = "us-east-1"
    secure: bool = False
    bucket_prefix: str = "terrain-"
    # The address startups reach the object store at, when it differs from the platform's
    # own (behind compose the platform says `minio:9000`): links and credentials name it.
    public_endpoint: str | None = None
    # SigV4 presigned URLs cannot outlive 7 days.
    presign_max_seconds: int = Field(default=3600, ge=1, le=7 * 24 * 3600)

    @property
    def embedded(self) -> bool:
        """Whether the platform should run its own SeaweedFS server."""
        return self.endpoint is None

    @model_validator(mode="after")
    def _check_credentials(self) -> Self:
        if (self.access_key is None) != (self.secret_key is None):
            raise ValueError("set both STORAGE_ACCESS_KEY and STORAGE_SECRET_KEY, or neither")
        if self.endpoint is None:
            return self
        # An external server needs real credentials: the embedded one generates its own.
        if self.access_key is None or self.secret_key is None:
            raise ValueError("STORAGE_ENDPOINT needs STORAGE_ACCESS_KEY and STORAGE_SECRET_KEY")
        secret = self.secret_key.get_secret_value()
        if secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < 8:
            raise ValueError(
                "STORAGE_SECRET_KEY is a placeholder or shorter than 8 characters; "
                "generate a real secret for an external S3 server"
            )
        return self
