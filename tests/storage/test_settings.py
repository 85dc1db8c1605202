"""StorageSettings read from STORAGE_* variables and refuse unsafe combinations (pure)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from storage import StorageError, StorageSettings, endpoint_url, split_endpoint


def test_defaults_mean_the_embedded_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENDPOINT", "ACCESS_KEY", "SECRET_KEY", "BUCKET_PREFIX"):
        monkeypatch.delenv(f"STORAGE_{name}", raising=False)
    settings = StorageSettings()
    assert settings.embedded
    assert (settings.region, settings.bucket_prefix, settings.presign_max_seconds) == (
        "us-east-1",
        "terrain-",
        3600,
    )


def test_environment_configures_an_external_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_ENDPOINT", "https://s3.example.org:9000")
    monkeypatch.setenv("STORAGE_ACCESS_KEY", "terrain-platform")
    monkeypatch.setenv("STORAGE_SECRET_KEY", "a-long-and-random-secret")
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", "lyon-")
    settings = StorageSettings()
    assert not settings.embedded
    assert settings.bucket_prefix == "lyon-"
    assert "a-long-and-random-secret" not in repr(settings)


@pytest.mark.parametrize(
    "values",
    [
        {"access_key": "only-the-key"},
        {"endpoint": "minio:9000"},
        {"endpoint": "minio:9000", "access_key": "minioadmin", "secret_key": "minioadmin"},
        {"endpoint": "minio:9000", "access_key": "terrain", "secret_key": "short"},
        {"presign_max_seconds": 0},
        {"presign_max_seconds": 8 * 24 * 3600},
    ],
)
def test_unsafe_or_incomplete_settings_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        StorageSettings.model_validate(values)


@pytest.mark.parametrize(
    ("endpoint", "secure", "expected"),
    [
        ("127.0.0.1:8333", False, ("127.0.0.1:8333", False)),
        ("minio:9000", True, ("minio:9000", True)),
        ("http://127.0.0.1:8333", True, ("127.0.0.1:8333", False)),
        ("https://s3.example.org/", False, ("s3.example.org", True)),
    ],
)
def test_endpoints_accept_host_port_or_url(
    endpoint: str, secure: bool, expected: tuple[str, bool]
) -> None:
    assert split_endpoint(endpoint, secure=secure) == expected


@pytest.mark.parametrize("endpoint", ["ftp://host:21", "http://host:9000/bucket", "http://"])
def test_endpoints_with_paths_or_odd_schemes_are_refused(endpoint: str) -> None:
    with pytest.raises(StorageError):
        endpoint_url(endpoint)
