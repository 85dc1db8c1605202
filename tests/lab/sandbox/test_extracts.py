"""The extract code against the real S3 server: the scope and nothing else, with a manifest
that tells what it is."""

from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from minio import Minio
from polars.testing import assert_frame_equal

from lab.sandbox.extracts import materialize
from lab.sandbox.scope import ExtractScope
from storage import stat, write_parquet

pytestmark = pytest.mark.s3
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def source(s3_client: Minio, s3_buckets: dict[str, str]) -> pl.DataFrame:
    """40 zones of 2,000 readings, sorted by zone then time, in 3,000-row groups."""
    frame = pl.DataFrame({"zone": [f"Z{i:02d}" for i in range(40)]}).join(
        pl.DataFrame({"m": range(2000)}), how="cross").with_columns(
        time=pl.lit(START) + pl.duration(minutes=pl.col("m") * 15),
        value=(pl.col("m") * 7 % 13).cast(pl.Float64),
        secret_note=pl.lit("not granted")).select("time", "zone", "value", "secret_note")
    write_parquet(s3_client, s3_buckets["datasets"], "d/v/data.parquet", frame,
                  statistics=True, row_group_size=3000)
    return frame


def _scope(zones: tuple[str, ...], days: tuple[int, int]) -> ExtractScope:
    return ExtractScope(columns=("time", "zone", "value"), zones=zones,
                        start=START + timedelta(days=days[0]),
                        end=START + timedelta(days=days[1]), time_column="time",
                        zone_column="zone")


def test_materialize_writes_exactly_the_scope_and_a_manifest(
        s3_client: Minio, s3_buckets: dict[str, str], source: pl.DataFrame,
        tmp_path: Path) -> None:
    scope = _scope(("Z03", "Z04", "Z17", "Z39"), (4, 12))
    seen: list[float] = []
    result = materialize(s3_client, source_bucket=s3_buckets["datasets"],
                         source_key="d/v/data.parquet", scope=scope,
                         dest_bucket=s3_buckets["sandbox"], data_key="g/d.parquet",
                         manifest_key="g/manifest.json", manifest={"grant_id": "g"},
                         progress=lambda fraction, _m: seen.append(fraction), workdir=tmp_path)
    data = s3_client.get_object(s3_buckets["sandbox"], "g/d.parquet").read()
    expected = source.filter(pl.col("zone").is_in(list(scope.zones)),
                             pl.col("time") >= scope.start, pl.col("time") < scope.end
                             ).select("time", "zone", "value")
    assert_frame_equal(pl.read_parquet(io.BytesIO(data)), expected)
    assert result.rows == expected.height and result.size_bytes == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert stat(s3_client, s3_buckets["sandbox"], "g/d.parquet").sha256 == result.sha256
    manifest = json.loads(s3_client.get_object(s3_buckets["sandbox"], "g/manifest.json").read())
    assert manifest["grant_id"] == "g" and manifest["extract"]["rows"] == expected.height
    assert manifest["scope"]["zones"] == list(scope.zones)
    assert seen == sorted(seen) and seen[-1] < 1
    assert os.listdir(tmp_path) == []  # the local copy is gone


def test_a_scope_matching_nothing_gives_an_empty_extract(
        s3_client: Minio, s3_buckets: dict[str, str], source: pl.DataFrame) -> None:
    result = materialize(s3_client, source_bucket=s3_buckets["datasets"],
                         source_key="d/v/data.parquet", scope=_scope(("Q00",), (0, 2)),
                         dest_bucket=s3_buckets["sandbox"], data_key="e/d.parquet",
                         manifest_key="e/manifest.json", manifest={})
    data = s3_client.get_object(s3_buckets["sandbox"], "e/d.parquet").read()
    frame = pl.read_parquet(io.BytesIO(data))
    assert result.rows == 0 and frame.columns == ["time", "zone", "value"]
