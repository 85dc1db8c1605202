"""Minimized extracts: a streaming scan of a dataset version that keeps only a grant's scope.

The source is scanned where it lives (`s3://<datasets>/<dataset>/<version>/data.parquet`)
with the platform's credentials, the zone and time filters pushed into the scan. The
stored layout does the rest: sorted by zone then time, each row group spans few zones and
a short time, so its min/max statistics rule out most row groups, whose bytes are never
fetched; in the others, the dictionary-encoded zone and the time are decoded first and
the remaining columns only for the rows that pass. The extract is written locally, stored
at `sandbox/<grant>/<dataset>.parquet` with its SHA-256, then described by a
`manifest.json`. Rows outside the scope never leave the datasets bucket.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from minio import Minio

from lab.common import utcnow
from lab.sandbox.platform import platform_of, storage_options
from lab.sandbox.scope import ExtractScope
from storage import PARQUET_CONTENT_TYPE, ChecksumMismatch, put_bytes, put_file, stat

# Rows per row group of an extract: the source's own size, so a reader of the extract
# skips zones and days just as well.
ROW_GROUP_ROWS = 128 * 1024
MANIFEST_VERSION = 1
Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """What was written: the extract's rows, size and SHA-256, and the manifest."""

    rows: int
    size_bytes: int
    sha256: str
    data_key: str
    manifest_key: str
    manifest: dict[str, Any]


def _time_bound(value: Any, dtype: pl.DataType) -> pl.Expr:
    # The stored layout is Datetime("us", "UTC"); a naive column is read as UTC.
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        return pl.lit(value.replace(tzinfo=None), dtype=dtype)
    return pl.lit(value)


def extract_plan(lazy: pl.LazyFrame, scope: ExtractScope) -> pl.LazyFrame:
    """The source reduced to the scope: granted zones, granted window, granted columns."""
    schema = lazy.collect_schema()
    missing = [c for c in scope.columns if c not in schema]
    if missing:
        raise ValueError(f"the dataset version has no column {', '.join(map(repr, missing))}")
    time_type = schema[scope.time_column]
    time, zone = pl.col(scope.time_column), pl.col(scope.zone_column)
    # Filter before projecting: both predicates go into the scan, where row-group
    # statistics decide what is read at all.
    predicate = (zone.is_in(list(scope.zones))
                 & (time >= _time_bound(scope.start, time_type))
                 & (time < _time_bound(scope.end, time_type)))
    return lazy.filter(predicate).select(list(scope.columns))


def scan_source(client: Minio, bucket: str, key: str) -> pl.LazyFrame:
    """A lazy scan of a whole Parquet object, read with the platform's credentials."""
    return pl.scan_parquet(f"s3://{bucket}/{key}",
                           storage_options=storage_options(platform_of(client)))


def check_source(client: Minio, bucket: str, key: str, sha256: str | None) -> None:
    """Refuse a source whose recorded SHA-256 is not the version's (a swapped object)."""
    recorded = stat(client, bucket, key).sha256
    if sha256 and recorded and recorded != sha256:
        raise ChecksumMismatch(bucket, key, expected=sha256, actual=recorded)


def materialize(client: Minio, *, source_bucket: str, source_key: str, scope: ExtractScope,
                dest_bucket: str, data_key: str, manifest_key: str,
                manifest: dict[str, Any], progress: Progress | None = None,
                workdir: Path | None = None) -> ExtractResult:
    """Write the scoped extract and its manifest; return what was written."""
    report = progress or (lambda _fraction, _message: None)
    with tempfile.TemporaryDirectory(prefix="terrain-extract-", dir=workdir) as tmp:
        path = Path(tmp) / "extract.parquet"
        report(0.1, "reading the granted rows")
        extract_plan(scan_source(client, source_bucket, source_key), scope).sink_parquet(
            path, compression="zstd", compression_level=1, statistics=True,
            row_group_size=ROW_GROUP_ROWS)
        rows = pq.read_metadata(path).num_rows
        report(0.7, f"storing {rows} rows")
        stored = put_file(client, dest_bucket, data_key, path,
                          content_type=PARQUET_CONTENT_TYPE)
    assert stored.sha256 is not None
    body = {
        **manifest,
        "manifest_version": MANIFEST_VERSION,
        "scope": scope.as_json(),
        "extract": {"key": data_key, "format": "parquet", "rows": rows,
                    "size_bytes": stored.size, "sha256": stored.sha256,
                    "sorted_by": [scope.zone_column, scope.time_column]},
        "created_at": utcnow().isoformat(),
    }
    report(0.9, "writing the manifest")
    put_bytes(client, dest_bucket, manifest_key,
              json.dumps(body, indent=2, sort_keys=True).encode(),
              content_type="application/json")
    return ExtractResult(rows=rows, size_bytes=stored.size, sha256=stored.sha256,
                         data_key=data_key, manifest_key=manifest_key, manifest=body)


__all__ = ["ROW_GROUP_ROWS", "ExtractResult", "check_source", "extract_plan", "materialize",
           "scan_source"]
