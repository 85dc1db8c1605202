"""Jobs that ship with the foundation."""

from __future__ import annotations

import hashlib
import io
import secrets
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from lab.jobs import periodic as _periodic  # noqa: F401  (the sandbox sweep, its jobs)
from lab.jobs import runtime
from lab.jobs.service import JobContext, job_kind
from lab.objectstore import bucket_prefix
from storage import PURPOSES, bucket_name


@job_kind("selfcheck")
def selfcheck(ctx: JobContext) -> dict[str, Any]:
    """Check that the worker reaches the database and can write, read, delete in every bucket."""
    with Session(runtime.get_engine()) as session:
        session.execute(text("SELECT 1"))
    ctx.progress(0.1, "database reachable")
    client = ctx.storage
    if client is None:
        raise RuntimeError("no object store is configured for the worker (STORAGE_ENDPOINT)")
    checked = []
    payload = secrets.token_bytes(64)
    for i, purpose in enumerate(PURPOSES, start=1):
        bucket = bucket_name(purpose, bucket_prefix())
        key = f"_selfcheck/{ctx.job_id}"

        client.put_object(bucket, key, io.BytesIO(payload), len(payload))
        data = client.get_object(bucket, key)
        try:
            body = data.read()
        finally:
            data.close()
            data.release_conn()
        client.remove_object(bucket, key)
        if hashlib.sha256(body).digest() != hashlib.sha256(payload).digest():
            raise RuntimeError(f"bucket {bucket} returned different bytes")
        checked.append(bucket)
        ctx.progress(0.1 + 0.9 * i / len(PURPOSES), f"bucket {bucket} ok")
    return {"database": "ok", "buckets": checked}

__all__ = ["selfcheck"]
