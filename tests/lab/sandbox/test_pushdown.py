"""The extract's scan reads only the row groups that can hold granted rows.

A sparse copy of a stored version keeps its footer and only the row groups whose statistics
allow a granted row; every other byte is zero. Scanning the copy with the extract's plan
gives the right rows — so the scan never decoded a row group the statistics rule out
(it would have read zeros and failed) and the layout does spare the reads.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lab.sandbox.extracts import extract_plan
from lab.sandbox.scope import ExtractScope

START = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = [f"Z{i:02d}" for i in range(12)]
PER_ZONE = 500
GROUP = 170  # row groups straddle zones, as in the catalog


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    frame = pl.DataFrame({"zone": ZONES}).join(
        pl.DataFrame({"m": range(PER_ZONE)}), how="cross").with_columns(
        time=pl.lit(START) + pl.duration(minutes=pl.col("m") * 10),
        value=pl.col("m").cast(pl.Float64), note=pl.lit("never granted")).select(
        "time", "zone", "value", "note")
    path = tmp_path_factory.mktemp("pushdown") / "data.parquet"
    frame.write_parquet(path, row_group_size=GROUP, statistics=True)
    return path, frame


def _possible(metadata: pq.FileMetaData, scope: ExtractScope) -> list[int]:
    """Row groups whose zone and time statistics do not rule out a granted row."""
    zones, kept = sorted(scope.zones), []
    for i in range(metadata.num_row_groups):
        time, zone = (metadata.row_group(i).column(c).statistics for c in (0, 1))
        j = bisect.bisect_left(zones, zone.min)
        if j < len(zones) and zones[j] <= zone.max and time.min < scope.end \
                and time.max >= scope.start:
            kept.append(i)
    return kept


def _first_page(column: pq.ColumnChunkMetaData) -> int:
    """Where a column chunk starts: its dictionary page, when it has one, precedes the data."""
    offset: int = column.data_page_offset
    if column.dictionary_page_offset is not None:
        offset = min(offset, column.dictionary_page_offset)
    return offset


def _sparse_copy(path: Path, groups: list[int], out: Path) -> None:
    metadata = pq.read_metadata(path)
    size = path.stat().st_size
    with open(path, "rb") as src, open(out, "wb") as dst:
        dst.truncate(size)
        src.seek(size - 8)
        footer = int.from_bytes(src.read(4), "little") + 8
        for start, length in [(0, 4), (size - footer, footer)] + [
                (_first_page(metadata.row_group(i).column(0)),
                 sum(metadata.row_group(i).column(c).total_compressed_size
                     for c in range(metadata.num_columns))) for i in groups]:
            src.seek(start)
            dst.seek(start)
            dst.write(src.read(length))


@settings(max_examples=40, deadline=None)
@given(zones=st.lists(st.sampled_from(ZONES + ["A00", "Z99"]), min_size=1, max_size=5),
       start=st.integers(-100, PER_ZONE * 10), length=st.integers(1, 2000))
def test_the_scan_skips_every_row_group_the_statistics_rule_out(
        stored: tuple[Path, pl.DataFrame], tmp_path_factory: pytest.TempPathFactory,
        zones: list[str], start: int, length: int) -> None:
    path, frame = stored
    scope = ExtractScope(columns=("time", "zone", "value"), zones=tuple(sorted(set(zones))),
                         start=START + timedelta(minutes=start),
                         end=START + timedelta(minutes=start + length),
                         time_column="time", zone_column="zone")
    copy = tmp_path_factory.mktemp("sparse") / "copy.parquet"
    groups = _possible(pq.read_metadata(path), scope)
    _sparse_copy(path, groups, copy)
    expected = frame.filter(pl.col("zone").is_in(list(scope.zones)),
                            pl.col("time") >= scope.start, pl.col("time") < scope.end
                            ).select("time", "zone", "value")
    assert_frame_equal(extract_plan(pl.scan_parquet(copy), scope).collect(), expected)


def test_a_narrow_scope_needs_few_row_groups(stored: tuple[Path, pl.DataFrame]) -> None:
    path, _ = stored
    metadata = pq.read_metadata(path)
    scope = ExtractScope(columns=("time",), zones=("Z03", "Z07"),
                         start=START + timedelta(days=1), end=START + timedelta(days=2),
                         time_column="time", zone_column="zone")
    assert 0 < len(_possible(metadata, scope)) <= metadata.num_row_groups // 4
