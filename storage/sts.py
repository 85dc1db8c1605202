"""Temporary S3 credentials restricted by an inline session policy (STS AssumeRole).

The call is made here rather than through minio's ``AssumeRoleProvider``, which rounds any
duration below one hour up to one hour: a grant that ends in 20 minutes must not hand out
credentials that live for 60.

The expiration reported is ``min(server's expiration, request time + duration)``, so it is
never later than asked. A server that grants more than the duration plus a small allowance
for clock skew is refused with STSError rather than clamped: its credentials would really
outlive the grant they serve, whatever we report.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from minio.credentials import Credentials
from minio.helpers import sha256_hash
from minio.signer import sign_v4_sts
from minio.time import to_amz_date
from pydantic import SecretStr

from storage.client import _reveal, endpoint_url
from storage.exceptions import InvalidLifetime, STSError

__all__ = [
    "MAX_DURATION",
    "MIN_DURATION",
    "TemporaryCredentials",
    "assume_role",
    "polars_storage_options",
]

MIN_DURATION = timedelta(seconds=900)
MAX_DURATION = timedelta(hours=12)
# Tolerated excess of the server's expiry over ours: its clock may run slightly ahead.
_CLOCK_SKEW = timedelta(seconds=30)
_SESSION_NAME_RE = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


@dataclass(frozen=True, slots=True)
class TemporaryCredentials:
    """Credentials from AssumeRole; ``expiration`` is UTC and never later than asked."""

    access_key: str
    secret_key: SecretStr
    session_token: str = field(repr=False)
    expiration: datetime


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find_text(root: ET.Element, name: str) -> str | None:
    for element in root.iter():
        if _local(element.tag) == name:
            return (element.text or "").strip()
    return None


def _parse_expiration(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse_response(status: int, body: str) -> tuple[str, str, str, datetime]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise STSError(f"STS answered {status} with unparsable XML", status=status) from exc
    if status != 200 or _local(root.tag) == "ErrorResponse":
        code = _find_text(root, "Code")
        message = _find_text(root, "Message") or body[:200]
        raise STSError(f"STS AssumeRole refused: {code}: {message}", code=code, status=status)
    fields = {
        name: _find_text(root, name)
        for name in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    }
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise STSError(f"STS response lacks {', '.join(missing)}", status=status)
    return (
        str(fields["AccessKeyId"]),
        str(fields["SecretAccessKey"]),
        str(fields["SessionToken"]),
        _parse_expiration(str(fields["Expiration"])),
    )


def assume_role(
    *,
    endpoint: str,
    access_key: str | SecretStr,
    secret_key: str | SecretStr,
    region: str,
    policy: dict[str, Any],
    duration: timedelta,
    secure: bool = False,
    session_name: str = "terrain",
    timeout: float = 10.0,
) -> TemporaryCredentials:
    """Ask STS for credentials limited by ``policy`` and valid for ``duration`` (900 s..12 h)."""
    seconds = duration.total_seconds()
    if not seconds.is_integer() or not MIN_DURATION <= duration <= MAX_DURATION:
        raise InvalidLifetime(
            f"STS duration {duration} must be whole seconds between {MIN_DURATION} "
            f"and {MAX_DURATION}"
        )
    url = endpoint_url(endpoint, secure=secure) + "/"
    parts = urlsplit(url)
    if not _SESSION_NAME_RE.fullmatch(session_name):
        raise STSError(
            f"session name {session_name!r}: 2 to 64 of letters, digits and +=,.@_-",
            code="InvalidParameterValue",
        )
    # SeaweedFS requires RoleSessionName (MinIO accepts it); neither needs a RoleArn here.
    body = urlencode(
        {
            "Action": "AssumeRole",
            "Version": "2011-06-15",
            "DurationSeconds": str(int(seconds)),
            "RoleSessionName": session_name,
            "Policy": json.dumps(policy, separators=(",", ":"), sort_keys=True),
        }
    )
    requested_at = datetime.now(UTC)
    signed = sign_v4_sts(
        method="POST",
        url=parts,
        region=region,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": parts.netloc,
            "X-Amz-Date": to_amz_date(requested_at),
        },
        credentials=Credentials(_reveal(access_key), _reveal(secret_key)),
        content_sha256=sha256_hash(body),
        date=requested_at,
    )
    headers = {name: str(value) for name, value in signed.items()}
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise STSError(f"STS endpoint {url} unreachable: {exc}") from exc
    key, secret, token, server_expiration = _parse_response(response.status_code, response.text)
    deadline = requested_at + duration
    if server_expiration > deadline + _CLOCK_SKEW:
        raise STSError(
            f"STS granted credentials until {server_expiration.isoformat()}, beyond the "
            f"requested {deadline.isoformat()}; refusing credentials that outlive the request"
        )
    return TemporaryCredentials(
        access_key=key,
        secret_key=SecretStr(secret),
        session_token=token,
        expiration=min(server_expiration, deadline),
    )


def polars_storage_options(
    creds: TemporaryCredentials, endpoint: str, region: str, *, secure: bool = False
) -> dict[str, str]:
    """Return ``storage_options`` for ``pl.scan_parquet("s3://bucket/key", ...)``."""
    url = endpoint_url(endpoint, secure=secure)
    options = {
        "aws_access_key_id": creds.access_key,
        "aws_secret_access_key": creds.secret_key.get_secret_value(),
        "aws_session_token": creds.session_token,
        "aws_region": region,
        "aws_endpoint_url": url,
        # Path-style addressing: bucket names are not DNS names on a private endpoint.
        "aws_virtual_hosted_style_request": "false",
    }
    if url.startswith("http://"):
        options["aws_allow_http"] = "true"
    return options
