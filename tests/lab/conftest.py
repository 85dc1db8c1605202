"""The app wired to the real S3 server's buckets for this test, when a test asks for it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI


@pytest.fixture
def s3_app(app: FastAPI, s3_client: Any, s3_buckets: dict[str, str],
           monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the app's storage at this test's buckets; returns the bucket names."""
    prefix = s3_buckets["attachments"].removesuffix("attachments")
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", prefix)
    app.state.storage = s3_client
    return s3_buckets
