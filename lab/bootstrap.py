"""Getting a machine ready: the object store, its buckets, the schema, a first admin."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from minio import Minio
from sqlmodel import Session, select

from lab.auth import service as auth
from lab.auth.models import Role, User, UserCreate
from lab.db import make_engine, upgrade
from lab.settings import LabSettings
from storage import EmbeddedS3, StorageSettings, ensure_buckets, make_client_from_settings

DEV_ADMIN_EMAIL = "admin@terrain.example"


def prepare(settings: LabSettings, env: dict[str, str]) -> EmbeddedS3 | None:
    """Start the embedded object store if none is configured, create buckets, migrate."""
    settings.validate_for_startup()
    embedded = None
    storage_settings = StorageSettings()
    if not storage_settings.endpoint:
        embedded = EmbeddedS3(settings.home.resolve() / "s3")
        embedded.start()
        found = {"STORAGE_ENDPOINT": embedded.endpoint, "STORAGE_ACCESS_KEY": embedded.access_key,
                 "STORAGE_SECRET_KEY": embedded.secret_key, "STORAGE_REGION": embedded.region}
        env.update(found)
        os.environ.update(found)  # the in-process seeding reads the same settings
        storage_settings = StorageSettings(
            endpoint=embedded.endpoint, access_key=embedded.access_key,
            secret_key=embedded.secret_key, region=embedded.region)
    try:
        client = make_client_from_settings(storage_settings)
        ensure_buckets(client, storage_settings.bucket_prefix)
        upgrade(settings.resolved_database_url)
        if settings.env == "development":
            ensure_dev_admin(settings)
            if settings.demo:
                _seed_demo(settings, client)
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    return embedded


def _seed_demo(settings: LabSettings, client: Minio) -> None:
    from lab import demo

    engine = make_engine(settings.resolved_database_url)
    try:
        if not demo.is_seeded(engine):
            sys.stdout.write("Seeding the demo territory (first start only, about a minute)…\n")
            sys.stdout.flush()
        demo.seed(engine=engine, client=client, home=settings.home.resolve())
    finally:
        engine.dispose()


def ensure_dev_admin(settings: LabSettings) -> Path | None:
    """In development, create a first admin whose password is kept in a 0600 file."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with Session(engine) as session:
            if session.exec(select(User).where(User.role == Role.admin)).first():
                return None
            password = secrets.token_urlsafe(12)
            auth.create_user(session=session, actor=None, data=UserCreate(
                email=DEV_ADMIN_EMAIL, full_name="Development admin", role=Role.admin,
                password=password))
    finally:
        engine.dispose()
    path = settings.home.resolve() / "admin-password.txt"
    path.touch(mode=0o600)
    path.write_text(f"{DEV_ADMIN_EMAIL}\n{password}\n")
    return path


__all__ = ["DEV_ADMIN_EMAIL", "ensure_dev_admin", "prepare"]
