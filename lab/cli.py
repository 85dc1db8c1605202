"""The `lab` command: run the platform, migrate, manage users, analyse files."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from experiments.cli import app as analyze_app
from lab.settings import SettingsError, get_settings

app = typer.Typer(help="Terrain, a living-lab platform for territories.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)


@app.command()
def up() -> None:
    """Start the object store (unless STORAGE_ENDPOINT is set), migrate, API, worker and UI."""
    from lab.up import run

    try:
        get_settings().validate_for_startup()
    except SettingsError as exc:
        _fail(str(exc))
    raise typer.Exit(code=run(get_settings()))


@app.command()
def migrate(revision: Annotated[str, typer.Option(help="Target revision")] = "head") -> None:
    """Upgrade the database schema."""
    from lab.db import upgrade

    upgrade(get_settings().resolved_database_url, revision)
    typer.echo(f"database migrated to {revision}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the API only (the database must be migrated)."""
    import uvicorn

    settings = get_settings()
    try:
        settings.validate_for_startup()
    except SettingsError as exc:
        _fail(str(exc))
    # Forwarded headers are the app's to judge (LAB_TRUSTED_PROXIES), not uvicorn's default.
    uvicorn.run("lab.app:create_app", factory=True, host=host or settings.api_host,
                port=port or settings.api_port, workers=workers, proxy_headers=False)


@app.command()
def worker(threads: Annotated[int, typer.Option(help="Worker threads")] = 2) -> None:
    """Run the background job consumer (start as many as needed on one Redis queue)."""
    from huey.consumer import Consumer

    from lab.jobs.reaper import Reaper
    from lab.worker import huey

    # Each worker also takes over the jobs of workers that died mid-way (lab.jobs.reaper).
    reaper = Reaper().start()
    try:
        Consumer(huey, workers=threads, worker_type="thread").run()
    finally:
        reaper.stop()


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Email address")],
    role: Annotated[str, typer.Option(help="admin, city, startup, citizen or mediator")] = "admin",
    full_name: Annotated[str, typer.Option(help="Full name")] = "",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True)] = "",
) -> None:
    """Create a user from the command line (typically the first admin)."""
    from pydantic import ValidationError
    from sqlmodel import Session

    from lab.auth import service
    from lab.auth.models import Role, UserCreate
    from lab.db import ensure_migrated, make_engine
    from lab.exceptions import LabError

    engine = make_engine(get_settings().resolved_database_url)
    try:
        ensure_migrated(engine)
        data = UserCreate(email=email, role=Role(role), full_name=full_name, password=password)
        with Session(engine) as session:
            user = service.create_user(session=session, actor=None, data=data)
        typer.echo(f"created {user.role} {user.email} ({user.id})")
    except (ValidationError, ValueError, LabError) as exc:
        _fail(f"cannot create user: {exc}")
    finally:
        engine.dispose()


@app.command()
def demo(
    size: Annotated[str, typer.Option(help="small (default, under a minute) or large "
                                           "(five-minute readings, for benchmarks)")] = "small",
    force: Annotated[bool, typer.Option("--force", help="Reset the state first, then seed")]
    = False,
) -> None:
    """Seed the demo territory (once: a second run changes nothing unless --force)."""
    import os

    from lab.bootstrap import prepare
    from lab.db import make_engine
    from lab.demo import seed
    from lab.demo.accounts import read_accounts, table
    from lab.reset import PlatformRunning, reset
    from storage import StorageSettings, make_client_from_settings

    if size not in ("small", "large"):
        _fail("--size is small or large")
    settings = get_settings()
    if force:
        try:
            for line in reset(settings):
                typer.echo(line)
        except PlatformRunning as exc:
            _fail(str(exc))
    embedded = prepare(settings.model_copy(update={"demo": False}), dict(os.environ))
    try:
        engine = make_engine(settings.resolved_database_url)
        try:
            path = seed(engine=engine, client=make_client_from_settings(StorageSettings()),
                        home=settings.home.resolve(), size=size)
        finally:
            engine.dispose()
    finally:
        if embedded is not None:
            embedded.stop()
    typer.echo("demo seeded" if path else "the database already holds data; nothing changed "
               "(use --force to start over)")
    if rows := read_accounts(settings.home.resolve()):
        typer.echo(table(rows))


@app.command()
def reset(yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")]
          = False) -> None:
    """Start over: remove the database, the stored objects and the generated accounts."""
    from lab.reset import PlatformRunning, state_dir
    from lab.reset import reset as do_reset

    settings = get_settings()
    if not yes and not typer.confirm(f"Remove all of Terrain's state in {state_dir(settings)} "
                                     "(database, objects, accounts)?"):
        raise typer.Exit(code=1)
    try:
        for line in do_reset(settings):
            typer.echo(line)
    except PlatformRunning as exc:
        _fail(str(exc))
    typer.echo("reset done: the next `lab up` starts from an empty state")


@app.command()
def sweep() -> None:
    """Expire sandbox grants past their end, delete ended grants' extracts and abandoned
    measurement uploads (the worker also does this every LAB_SWEEP_INTERVAL_MINUTES)."""
    from sqlmodel import Session

    from lab.db import ensure_migrated, make_engine
    from lab.objectstore import client_from_settings
    from lab.sandbox import service as sandbox

    engine = make_engine(get_settings().resolved_database_url)
    try:
        ensure_migrated(engine)
        storage = client_from_settings()
        with Session(engine) as session:
            result = sandbox.sweep(session=session, storage=storage)
        typer.echo(f"{result.expired} grants expired, {result.extracts_deleted} extracts deleted, "
                   f"{result.uploads_deleted} abandoned uploads deleted")
        if storage is None:
            typer.echo("no object store configured (STORAGE_ENDPOINT): extracts are deleted "
                       "by the next sweep that reaches it", err=True)
    finally:
        engine.dispose()


def main() -> None:
    """Entry point for `python -m lab`."""
    sys.exit(app())


__all__ = ["app", "main"]
