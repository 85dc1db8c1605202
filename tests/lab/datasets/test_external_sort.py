"""The out-of-core sort and the rollups written beside a version, on small budgets."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from lab.datasets import convert, external_sort, rollups
from tests.lab.datasets.data import csv_bytes, expected_sorted, readings

COLUMNS = {"time_column": "time", "zone_column": "zone"}


def _convert(tmp_path: Path, frame: pl.DataFrame) -> tuple[Path, Path]:
    path = tmp_path / "in.csv"
    path.write_bytes(csv_bytes(frame))
    out, rollup = tmp_path / "out.parquet", tmp_path / "rollup.parquet"
    convert.convert(path, convert.check(path, **COLUMNS), out, rollup=rollup, **COLUMNS)
    return out, rollup


def _assert_layout(out: Path, frame: pl.DataFrame, row_group_rows: int) -> None:
    assert_frame_equal(pl.read_parquet(out), expected_sorted(frame))
    metadata = pq.read_metadata(out)
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert all(size == row_group_rows for size in sizes[:-1]) and 0 < sizes[-1] <= row_group_rows
    zone = metadata.schema.names.index("zone")
    bounds = [(metadata.row_group(i).column(zone).statistics.min,
               metadata.row_group(i).column(zone).statistics.max)
              for i in range(metadata.num_row_groups)]
    assert all(a[1] <= b[0] for a, b in zip(bounds, bounds[1:], strict=False))


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # a few hundred rows per sort instead of millions: every path of the sort is taken
    monkeypatch.setattr(external_sort, "SAMPLE_ROWS", 300)
    monkeypatch.setattr(external_sort, "MAX_RANGES", 6)
    monkeypatch.setattr(external_sort, "RANGE_BYTES", 8_000)
    monkeypatch.setattr(convert, "ROW_GROUP_ROWS", 256)


@pytest.mark.usefixtures("small_budget")
def test_many_ranges_give_the_in_memory_sort_row_for_row(tmp_path: Path) -> None:
    frame = readings(5000, zones=40)
    out, _ = _convert(tmp_path, frame)
    _assert_layout(out, frame, 256)
    assert not list(tmp_path.glob(".sort-*")), "partition files are removed"


@pytest.mark.usefixtures("small_budget")
def test_zones_the_sample_missed_and_oversize_zones_are_split_in_order(tmp_path: Path) -> None:
    # sorted by zone: the sample sees one zone, every other zone overflows; one zone holds
    # most rows, so it is split by time
    frame = readings(6000, zones=30)
    frame = pl.concat([frame, readings(6000, zones=1, seed=3).with_columns(
        pl.lit("Z-15").alias("zone"))]).sort("zone", maintain_order=True)
    out, _ = _convert(tmp_path, frame)
    _assert_layout(out, frame, 256)


def test_rollups_hold_each_zone_and_hour_statistics(tmp_path: Path) -> None:
    frame = readings(3000, zones=9).with_columns(
        pl.when(pl.int_range(pl.len()) % 11 == 0).then(None).otherwise(pl.col("value"))
        .alias("value"))
    out, rollup = _convert(tmp_path, frame)
    stored = pl.read_parquet(rollup)
    hour = pl.col("time").dt.truncate("1h")
    raw = pl.read_parquet(out).group_by(pl.col("zone"), hour.alias("hour")).agg(
        pl.len().cast(pl.Int64).alias("rows"),
        pl.col("value").count().cast(pl.Int64).alias("value.count"),
        pl.col("value").sum().alias("value.sum"),
        (pl.col("value") ** 2).sum().alias("value.sum2"),
        pl.col("value").min().alias("value.min"), pl.col("value").max().alias("value.max"),
        pl.col("value").null_count().cast(pl.Int64).alias("value.nulls"),
        # a column without nulls takes the rollup's other path
        pl.col("count").count().cast(pl.Int64).alias("count.count"),
        pl.col("count").cast(pl.Float64).sum().alias("count.sum"),
        (pl.col("count").cast(pl.Float64) ** 2).sum().alias("count.sum2"),
        pl.col("count").cast(pl.Float64).min().alias("count.min"),
        pl.col("count").cast(pl.Float64).max().alias("count.max"),
        pl.col("count").null_count().cast(pl.Int64).alias("count.nulls"),
    ).sort("zone", "hour")
    assert stored["value.nulls"].sum() == frame["value"].null_count() > 0
    assert_frame_equal(stored.select(raw.columns), raw, rel_tol=1e-12)
    assert rollups.has_column(stored.schema, "count")
    assert not rollups.has_column(stored.schema, "sensor")  # text columns have none


@pytest.mark.usefixtures("small_budget")
@pytest.mark.parametrize("where", ["sample", "missed"])
def test_spaces_around_zones_and_times_are_not_part_of_them(tmp_path: Path,
                                                            where: str) -> None:
    """The first pass takes cells as they come; a padded time or zone, in the rows the
    sample sees or only after them, sends the upload to the trimming pass, so the stored
    version is the same as for the clean file."""
    clean = readings(3000, zones=20)
    row = pl.int_range(pl.len())
    padded_rows = row < 50 if where == "sample" else row >= 2900
    padded = clean.with_columns(
        pl.when(padded_rows).then(pl.lit("  ") + pl.col("zone") + pl.lit(" "))
        .otherwise(pl.col("zone")).alias("zone"),
        pl.when(padded_rows).then(pl.lit(" ") + pl.col("time") + pl.lit("  "))
        .otherwise(pl.col("time")).alias("time"))
    out, rollup = _convert(tmp_path, padded)
    assert_frame_equal(pl.read_parquet(out), expected_sorted(clean))
    assert set(pl.read_parquet(rollup)["zone"]) == set(clean["zone"])


@pytest.mark.usefixtures("small_budget")
def test_the_description_is_gathered_while_writing(tmp_path: Path) -> None:
    """What `convert` returns is what reading the written file back gives (many ranges, zones
    the sample missed, a zone split by time)."""
    frame = pl.concat([readings(4000, zones=30), readings(3000, zones=1, seed=3).with_columns(
        pl.lit("Z-07").alias("zone"))]).sort("zone", maintain_order=True)
    path = tmp_path / "in.csv"
    path.write_bytes(csv_bytes(frame))
    out = tmp_path / "out.parquet"
    gathered = convert.convert(path, convert.check(path, **COLUMNS), out, **COLUMNS)
    assert gathered == convert.describe(out, **COLUMNS)
    assert gathered.zones == sorted(frame["zone"].unique())
    assert gathered.row_count == frame.height
