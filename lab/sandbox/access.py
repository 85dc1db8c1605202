"""Reaching an extract: presigned links, scoped STS credentials, downloads through the API.

Only members of the pilot's startup receive access, only while the grant is usable, and
never for longer than it lasts: links live at most an hour, credentials at most the
grant's remaining time (and not at all when under the 15 minutes STS requires remain).
The object store enforces the rest — signatures and expiry, and a session policy that
reads `sandbox/<grant>/*` and nothing else. Every issuance and download is an access event
that records the key id of credentials, never a secret.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from minio import Minio
from pydantic import BaseModel, Field
from sqlmodel import Session

from lab.auth.models import Role, User
from lab.common import utcnow
from lab.db import begin_write
from lab.exceptions import InvalidInput, NotFound, PermissionDenied, ServiceUnavailable
from lab.objectstore import public_client
from lab.sandbox import events, platform, snippets
from lab.sandbox import service as grants
from lab.sandbox.exceptions import GrantEnded, GrantNotUsable
from lab.sandbox.models import AccessMethod, Grant
from storage import (
    MAX_DURATION,
    MIN_DURATION,
    Scope,
    STSError,
    assume_role,
    client_info,
    presigned_get,
    session_policy,
)

LINK_MAX = timedelta(hours=1)
CREDENTIALS_DEFAULT = timedelta(hours=1)
OBJECT_NAMES = ("data", "manifest")


class Link(BaseModel):
    name: str = Field(description="data (the Parquet extract) or manifest")
    key: str = Field(description="Object key in the sandbox bucket (`<grant>/<dataset>.parquet` "
                                 "or `<grant>/manifest.json`)")
    url: str = Field(description="Presigned GET URL, valid until expires_at (it reads nothing "
                                 "once the grant is revoked)")
    expires_at: datetime = Field(description="When this URL stops working (ISO 8601, UTC)")


class Links(BaseModel):
    grant_id: uuid.UUID = Field(description="The grant the links read")
    bucket: str = Field(description="The sandbox bucket holding the extract")
    links: list[Link] = Field(description="One link per object: data and manifest")
    expires_at: datetime = Field(description="When the links stop working")


class Credentials(BaseModel):
    grant_id: uuid.UUID = Field(description="The grant the credentials read")
    endpoint: str = Field(description="S3 endpoint URL (path-style addressing)")
    region: str = Field(description="S3 region to sign requests for")
    bucket: str = Field(description="The sandbox bucket holding the extract")
    prefix: str = Field(description="Everything the credentials may read is under it")
    objects: list[str] = Field(description="Keys of the extract and its manifest")
    access_key_id: str = Field(description="Temporary access key id (recorded in the access log)")
    secret_access_key: str = Field(
        description="Temporary secret key; returned only in this response, never logged")
    session_token: str = Field(description="STS session token, sent with every request")
    expires_at: datetime = Field(description="Never later than the grant's expiry")
    snippets: dict[str, str] = Field(description="Ready-to-paste code: polars, duckdb, boto3")


@dataclass(frozen=True, slots=True)
class Download:
    """An object streamed through the API."""

    chunks: Iterator[bytes]
    size: int
    filename: str
    media_type: str


def _keys(grant: Grant) -> dict[str, str]:
    return {"data": platform.extract_key(grant.id, grant.dataset_id),
            "manifest": platform.manifest_key(grant.id)}


def _usable_for(session: Session, actor: User, grant_id: uuid.UUID) -> Grant:
    grant = grants.get_grant(session=session, actor=actor, grant_id=grant_id)
    if actor.role != Role.startup or actor.organization_id != grant.organization_id:
        raise PermissionDenied("Access to an extract is issued to the pilot's startup only.")
    grants.require_usable(session, grant)
    return grant


def _remaining(grant: Grant) -> timedelta:
    left = grant.expires_at - utcnow()
    # Whole seconds, rounded down: nothing may outlive the grant by a fraction.
    return timedelta(seconds=max(0, math.floor(left.total_seconds())))


def issue_links(*, session: Session, actor: User, grant_id: uuid.UUID, storage: Minio,
                client: events.ClientInfo, lifetime: timedelta | None = None) -> Links:
    """Presigned GET links to the extract and its manifest."""
    grant = _usable_for(session, actor, grant_id)
    if lifetime is not None and not timedelta(seconds=1) <= lifetime <= LINK_MAX:
        raise InvalidInput("A link lives between 1 second and 1 hour.", field="lifetime_seconds")
    lifetime = min(lifetime or LINK_MAX, LINK_MAX, _remaining(grant))
    if lifetime < timedelta(seconds=1):
        raise GrantEnded(f"The grant expired at {grant.expires_at.isoformat()}.")
    bucket, signer = platform.sandbox_bucket(), public_client(storage)
    links = []
    for name, key in _keys(grant).items():
        signed = presigned_get(signer, bucket, key, lifetime=lifetime, max_lifetime=LINK_MAX)
        links.append(Link(name=name, key=key, url=signed.url, expires_at=signed.expires_at))
    until = min(link.expires_at for link in links)
    events.record(session=session, actor=actor, client=client,
                  method=AccessMethod.presigned_get, pilot_id=grant.pilot_id,
                  organization_id=grant.organization_id, grant_id=grant.id,
                  authority_id=grant.authority_id,
                  objects=[f"{bucket}/{link.key}" for link in links], valid_until=until,
                  detail={"lifetime_seconds": int(lifetime.total_seconds())})
    session.commit()
    return Links(grant_id=grant.id, bucket=bucket, links=links, expires_at=until)


def issue_credentials(*, session: Session, actor: User, grant_id: uuid.UUID, storage: Minio,
                      client: events.ClientInfo,
                      duration: timedelta | None = None) -> Credentials:
    """Temporary S3 credentials that read the grant's extract and nothing else."""
    grant = _usable_for(session, actor, grant_id)
    if duration is not None and not MIN_DURATION <= duration <= MAX_DURATION:
        raise InvalidInput("Credentials live between 15 minutes and 12 hours.",
                           field="duration_seconds")
    remaining = _remaining(grant)
    if remaining < MIN_DURATION:
        raise GrantNotUsable(
            f"Only {int(remaining.total_seconds() // 60)} minutes remain before the grant "
            f"expires at {grant.expires_at.isoformat()}, and temporary credentials "
            "live at least 15 minutes: none can be issued. Use presigned links instead.")
    duration = min(duration or CREDENTIALS_DEFAULT, remaining)
    root = platform.platform_of(storage)
    bucket, prefix = platform.sandbox_bucket(), platform.grant_prefix(grant.id)
    try:
        creds = assume_role(endpoint=root.endpoint, access_key=root.access_key,
                            secret_key=root.secret_key, region=root.region,
                            policy=session_policy(Scope(bucket, prefix, "read")),
                            duration=duration, secure=root.secure,
                            session_name=f"terrain-grant-{grant.id}")
    except STSError as exc:
        raise ServiceUnavailable(f"The object store did not issue credentials "
                                 f"({exc.code or exc.status or 'no answer'}); try again.") from None
    keys = _keys(grant)
    public = client_info(public_client(storage))  # where the startup reaches the server
    where = snippets.Where(endpoint=public.endpoint, secure=public.secure, region=root.region,
                           bucket=bucket, prefix=prefix, data_key=keys["data"])
    events.record(session=session, actor=actor, client=client,
                  method=AccessMethod.sts_credentials, pilot_id=grant.pilot_id,
                  organization_id=grant.organization_id, grant_id=grant.id,
                  authority_id=grant.authority_id, objects=[f"{bucket}/{prefix}*"],
                  valid_until=creds.expiration,
                  detail={"access_key_id": creds.access_key,
                          "duration_seconds": int(duration.total_seconds())})
    session.commit()
    return Credentials(grant_id=grant.id, endpoint=public.url, region=root.region, bucket=bucket,
                       prefix=prefix, objects=list(keys.values()),
                       access_key_id=creds.access_key,
                       secret_access_key=creds.secret_key.get_secret_value(),
                       session_token=creds.session_token, expires_at=creds.expiration,
                       snippets=snippets.all_snippets(creds, where))


def download(*, session: Session, actor: User, grant_id: uuid.UUID, name: str, storage: Minio,
             client: events.ClientInfo) -> Download:
    """Stream one object of the extract through the API (recorded before the first byte)."""
    if name not in OBJECT_NAMES:
        raise NotFound(f"No object {name!r}; the extract has: {', '.join(OBJECT_NAMES)}.")
    begin_write(session)  # served on GET, and the download is recorded
    grant = _usable_for(session, actor, grant_id)
    bucket, key = platform.sandbox_bucket(), _keys(grant)[name]
    try:
        response: Any = storage.get_object(bucket, key)
    except Exception as exc:  # noqa: BLE001 - the extract vanished under a usable grant
        raise GrantNotUsable("The extract is not in the object store; it may have been "
                             "revoked a moment ago.") from exc
    try:
        events.record(session=session, actor=actor, client=client,
                      method=AccessMethod.api_download, pilot_id=grant.pilot_id,
                      organization_id=grant.organization_id, grant_id=grant.id,
                      authority_id=grant.authority_id, objects=[f"{bucket}/{key}"])
        session.commit()
    except BaseException:
        response.close()
        response.release_conn()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            yield from response.stream(1024 * 1024)
        finally:
            response.close()
            response.release_conn()

    size = int(response.headers.get("content-length") or 0)
    media = "application/json" if name == "manifest" else "application/vnd.apache.parquet"
    return Download(chunks=chunks(), size=size, filename=key.rsplit("/", 1)[-1],
                    media_type=media)


__all__ = ["CREDENTIALS_DEFAULT", "LINK_MAX", "OBJECT_NAMES", "Credentials", "Download",
           "Link", "Links", "download", "issue_credentials", "issue_links"]
