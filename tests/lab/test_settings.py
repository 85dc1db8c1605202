"""Settings: production refuses unsafe secrets; development keeps a generated one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lab.app import create_app
from lab.settings import LabSettings, SettingsError


@pytest.mark.parametrize("secret", [None, "", "changethis", "secret", "short-but-not-placeholder"])
def test_production_refuses_missing_or_placeholder_secret(tmp_path: Path,
                                                          secret: str | None) -> None:
    settings = LabSettings(home=tmp_path, env="production", secret_key=secret)
    with pytest.raises(SettingsError, match="LAB_SECRET_KEY"):
        create_app(settings)
    assert not (tmp_path / "secret_key").exists()


def test_production_reads_the_secret_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_ENV", "production")
    monkeypatch.setenv("LAB_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("LAB_HOME", str(tmp_path))
    settings = LabSettings()
    assert settings.jwt_secret() == "s" * 40
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'lab.db').resolve()}"


def test_development_generates_a_secret_once_and_keeps_it_private(tmp_path: Path) -> None:
    first = LabSettings(home=tmp_path / "var", env="development").jwt_secret()
    again = LabSettings(home=tmp_path / "var", env="development").jwt_secret()
    assert first == again and len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_defaults_follow_the_issue() -> None:
    settings = LabSettings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.api_port, settings.ui_port) == (8000, 8501)
    assert settings.home == Path("./var")
