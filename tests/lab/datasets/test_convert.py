"""Recognising, checking and converting uploads, on local files (no database, no S3)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from lab.datasets import convert
from lab.exceptions import InvalidInput
from tests.lab.datasets.data import csv_bytes, expected_sorted, parquet_bytes, readings

COLUMNS = {"time_column": "time", "zone_column": "zone"}


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refusal(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        convert.check(path, **COLUMNS)
    return caught.value


def test_format_is_judged_by_the_bytes_not_the_extension(tmp_path: Path) -> None:
    frame = readings(50)
    assert convert.sniff(_file(tmp_path, "a.csv", parquet_bytes(frame))).format == "parquet"
    assert convert.sniff(_file(tmp_path, "b.parquet", csv_bytes(frame))) == convert.Source("csv")
    semicolons = _file(tmp_path, "c.csv", csv_bytes(frame, separator=";"))
    assert convert.check(semicolons, **COLUMNS) == convert.Source("csv", ";")


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "neither Parquet"),
    (b"PAR1" + b"\x00garbage" * 100, "Parquet file cannot be read"),
    ("time,zone\n2024-01-01,Lyon 3\u00e8me\n".encode("latin-1"), "neither Parquet"),
    (b"time,zone,value\n", "no data rows"),
])
def test_unreadable_files_are_refused_saying_why(tmp_path: Path, data: bytes,
                                                 words: str) -> None:
    refusal = _refusal(_file(tmp_path, "upload", data))
    assert words in refusal.detail and refusal.field == "file"


def test_truncated_parquet_is_refused(tmp_path: Path) -> None:
    whole = parquet_bytes(readings(500))
    refusal = _refusal(_file(tmp_path, "cut.parquet", whole[: len(whole) // 2]))
    assert "Parquet file cannot be read" in refusal.detail


def test_missing_declared_column_is_named(tmp_path: Path) -> None:
    frame = readings(20).rename({"zone": "secteur"})
    refusal = _refusal(_file(tmp_path, "x.csv", csv_bytes(frame)))
    assert refusal.field == "zone_column"
    assert "'zone'" in refusal.detail and "secteur" in refusal.detail


@pytest.mark.parametrize(("value", "words"), [
    ("not a date", "'not a date' on line 5"),
    ("01/03/2024", "'01/03/2024' on line 5"),
    ("", "empty on line 5"),
])
def test_mistyped_time_column_is_named_with_the_value(tmp_path: Path, value: str,
                                                      words: str) -> None:
    frame = readings(20).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit(value)).otherwise(pl.col("time"))
        .alias("time"))
    refusal = _refusal(_file(tmp_path, "x.csv", csv_bytes(frame)))
    assert refusal.field == "time_column" and words in refusal.detail, refusal.detail
    assert "'time'" in refusal.detail


def test_parquet_columns_of_the_wrong_type_are_refused(tmp_path: Path) -> None:
    numeric_zone = readings(20).with_columns(pl.col("zone").str.slice(2).cast(pl.Int64))
    refusal = _refusal(_file(tmp_path, "z.parquet", parquet_bytes(numeric_zone)))
    assert refusal.field == "zone_column" and "Int64" in refusal.detail
    numeric_time = readings(20).with_columns(time=pl.lit(1.5))
    refusal = _refusal(_file(tmp_path, "t.parquet", parquet_bytes(numeric_time)))
    assert refusal.field == "time_column" and "Float64" in refusal.detail


def test_conversion_sorts_by_zone_then_time_with_dictionary_and_statistics(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert, "ROW_GROUP_ROWS", 400)
    frame = readings(2000)
    path, out = _file(tmp_path, "in.csv", csv_bytes(frame)), tmp_path / "out.parquet"
    source = convert.check(path, **COLUMNS)
    convert.convert(path, source, out, **COLUMNS)
    assert_frame_equal(pl.read_parquet(out), expected_sorted(frame))
    metadata = pq.read_metadata(out)
    assert metadata.num_row_groups == 5
    names = metadata.schema.names
    previous_max = ""
    for i in range(metadata.num_row_groups):
        zone = metadata.row_group(i).column(names.index("zone"))
        time = metadata.row_group(i).column(names.index("time"))
        assert "RLE_DICTIONARY" in zone.encodings
        assert zone.statistics.has_min_max and time.statistics.has_min_max
        value = metadata.row_group(i).column(names.index("value"))
        assert value.statistics.has_min_max  # numbers too, for filters on values
        assert previous_max <= zone.statistics.min <= zone.statistics.max
        previous_max = zone.statistics.max


def test_zone_column_is_dictionary_encoded_even_when_every_value_differs(
        tmp_path: Path) -> None:
    frame = readings(600, zones=600)
    assert frame["zone"].n_unique() == 600
    path, out = _file(tmp_path, "in.csv", csv_bytes(frame)), tmp_path / "out.parquet"
    convert.convert(path, convert.check(path, **COLUMNS), out, **COLUMNS)
    assert convert.zone_is_dictionary_encoded(out, "zone")
    assert_frame_equal(pl.read_parquet(out), expected_sorted(frame))


def _stored_times(tmp_path: Path, frame: pl.DataFrame,
                  name: str) -> tuple[datetime, list[datetime]]:
    path, out = _file(tmp_path, name, csv_bytes(frame) if name.endswith(".csv")
                      else parquet_bytes(frame)), tmp_path / "out.parquet"
    convert.convert(path, convert.check(path, **COLUMNS), out, **COLUMNS)
    return convert.describe(out, **COLUMNS).time_min, pl.read_parquet(out)["time"].to_list()


def test_offsets_naive_times_and_dates_all_become_utc(tmp_path: Path) -> None:
    offsets = pl.DataFrame({"zone": ["A", "A", "B"],
                            "time": ["2024-03-01T10:00:00+02:00", "2024-03-01T09:30:00Z",
                                     "2024-03-01T07:00:00.5+0100"]})
    assert _stored_times(tmp_path, offsets, "o.csv") == (
        datetime(2024, 3, 1, 6, 0, 0, 500000, tzinfo=UTC),
        [datetime(2024, 3, 1, 8, tzinfo=UTC), datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
         datetime(2024, 3, 1, 6, 0, 0, 500000, tzinfo=UTC)])
    naive = pl.DataFrame({"zone": ["A", "A"], "time": ["2024-03-01 07:00", "2024-03-02"]})
    assert _stored_times(tmp_path, naive, "n.csv")[1] == [
        datetime(2024, 3, 1, 7, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC)]
    paris = pl.DataFrame({"zone": ["A"], "time": [datetime(2024, 3, 1, 9)]}).with_columns(
        pl.col("time").dt.replace_time_zone("Europe/Paris"))
    assert _stored_times(tmp_path, paris, "p.parquet")[1] == [datetime(2024, 3, 1, 8, tzinfo=UTC)]
    dates = pl.DataFrame({"zone": ["A"], "time": [datetime(2024, 3, 1).date()]})
    assert _stored_times(tmp_path, dates, "d.parquet")[1] == [datetime(2024, 3, 1, tzinfo=UTC)]


def test_mixing_times_with_and_without_offsets_is_refused(tmp_path: Path) -> None:
    mixed = pl.DataFrame({"zone": ["A", "A"],
                          "time": ["2024-03-01T10:00:00+02:00", "2024-03-01T09:30:00"]})
    refusal = _refusal(_file(tmp_path, "m.csv", csv_bytes(mixed)))
    assert refusal.field == "time_column" and "2024-03-01T09:30:00" in refusal.detail


def test_a_bad_time_after_the_checked_rows_fails_the_conversion(tmp_path: Path) -> None:
    frame = readings(convert.SAMPLE_ROWS + 500).with_columns(
        pl.when(pl.int_range(pl.len()) == convert.SAMPLE_ROWS + 100).then(pl.lit("31/12/2024"))
        .otherwise(pl.col("time")).alias("time"))
    path, out = _file(tmp_path, "in.csv", csv_bytes(frame)), tmp_path / "out.parquet"
    source = convert.check(path, **COLUMNS)  # the first rows are fine
    with pytest.raises(InvalidInput, match="31/12/2024") as caught:
        convert.convert(path, source, out, **COLUMNS)
    assert caught.value.field == "time_column" and not out.exists()


def test_an_empty_zone_after_the_checked_rows_is_refused(tmp_path: Path) -> None:
    frame = readings(convert.SAMPLE_ROWS + 200).with_columns(
        pl.when(pl.int_range(pl.len()) >= convert.SAMPLE_ROWS + 190).then(None)
        .otherwise(pl.col("zone")).alias("zone"))
    path, out = _file(tmp_path, "in.csv", csv_bytes(frame)), tmp_path / "out.parquet"
    with pytest.raises(InvalidInput, match=r"'zone' is empty on 10 of 1200 rows"):
        convert.convert(path, convert.check(path, **COLUMNS), out, **COLUMNS)
    assert not out.exists()  # refused before it was finished, and removed


def test_description_records_schema_rows_range_and_zones(tmp_path: Path) -> None:
    frame = readings(300)
    path, out = _file(tmp_path, "in.parquet", parquet_bytes(frame)), tmp_path / "out.parquet"
    convert.convert(path, convert.check(path, **COLUMNS), out, **COLUMNS)
    described = convert.describe(out, **COLUMNS)
    expected = expected_sorted(frame)
    assert described.row_count == 300
    assert described.time_min == expected["time"].min()
    assert described.time_max == expected["time"].max()
    assert described.zones == sorted(frame["zone"].unique().to_list())
    assert {c["name"]: c["numeric"] for c in described.columns} == {
        "zone": False, "sensor": False, "value": True, "count": True, "time": False}


def test_first_rows_turn_nan_and_infinity_into_null() -> None:
    table = pl.DataFrame({"x": [1.0, float("nan"), float("inf")]}).to_arrow()
    assert convert.first_rows(table, 2) == [{"x": 1.0}, {"x": None}]
    assert convert.first_rows(table, 5)[2] == {"x": None}
