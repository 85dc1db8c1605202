"""Deterministic tables for the dataset tests: readings of sensors in zones, shuffled."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import polars as pl

START = datetime(2024, 3, 1, tzinfo=UTC)


def readings(rows: int = 2000, zones: int = 7, seed: int = 7) -> pl.DataFrame:
    """`rows` hourly readings over `zones` zones, in shuffled order; time as ISO 8601 text."""
    frame = pl.DataFrame({"i": range(rows)}).with_columns(
        zone=pl.format("Z-{}", (pl.col("i") * 7919 % zones).cast(pl.String).str.zfill(2)),
        sensor=pl.format("S{}", pl.col("i") % 13),
        value=(pl.col("i") * 37 % 101).cast(pl.Float64) / 4,
        count=pl.col("i") % 17,
        time=pl.lit(START) + pl.duration(hours=pl.col("i") * 5 % (rows // 2 + 1)),
    ).drop("i").sample(fraction=1.0, shuffle=True, seed=seed)
    return frame.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))


def csv_bytes(frame: pl.DataFrame, separator: str = ",") -> bytes:
    """The frame as CSV."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, separator=separator)
    return buffer.getvalue()


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as Parquet."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def expected_sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """What the stored version must hold: UTC datetimes, sorted by zone then time, stable."""
    time = frame.schema["time"]
    if time == pl.String:
        parsed = pl.col("time").str.to_datetime(time_unit="us", time_zone="UTC")
    elif isinstance(time, pl.Datetime) and time.time_zone is not None:
        parsed = pl.col("time").dt.cast_time_unit("us").dt.convert_time_zone("UTC")
    else:
        parsed = pl.col("time").cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return frame.with_columns(parsed, pl.col("zone").cast(pl.String)).sort(
        ["zone", "time"], maintain_order=True)
