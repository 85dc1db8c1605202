"""The measurement file contract: each way a file can be wrong is refused with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from lab.exceptions import InvalidInput
from lab.sandbox.measurements import check

ZONES = {"Z-T1", "Z-C1"}
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
GOOD = ("time,zone,value\n"
        "2026-03-01T08:00:00Z,Z-T1,4\n"
        "2026-03-01T07:00:00Z,Z-T1,2.5\n"
        "2026-03-01T08:00:00Z,Z-C1,3\n")


def _file(tmp_path: Path, text: str | bytes, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _check(path: Path):  # type: ignore[no-untyped-def]
    return check(path, zones=ZONES, start=START, end=END)


def test_a_valid_csv_is_normalized_and_sorted(tmp_path: Path) -> None:
    checked = _check(_file(tmp_path, GOOD))
    assert checked.format == "csv" and checked.rows == 3
    assert checked.frame.schema == pl.Schema({"time": pl.Datetime("us", "UTC"),
                                              "zone": pl.String, "value": pl.Float64})
    assert checked.frame["zone"].to_list() == ["Z-C1", "Z-T1", "Z-T1"]
    assert checked.frame["value"].to_list() == [3.0, 2.5, 4.0]
    assert checked.zones == ["Z-C1", "Z-T1"]
    assert checked.time_min == datetime(2026, 3, 1, 7, tzinfo=UTC)


def test_a_valid_parquet_with_naive_times_is_read_as_utc(tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    pl.DataFrame({"zone": ["Z-T1"], "value": [1], "time": [datetime(2026, 2, 1, 12)]}
                 ).write_parquet(path)
    checked = _check(path)
    assert checked.format == "parquet"
    assert checked.frame["time"].to_list() == [datetime(2026, 2, 1, 12, tzinfo=UTC)]


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "neither Parquet nor UTF-8"),
    ("time,zone\n2026-03-01T08:00:00Z,Z-T1\n", "missing value"),
    ("time,zone,value,unit\n2026-03-01T08:00:00Z,Z-T1,1,kWh\n", "unexpected unit"),
    ("time,zone,value\n", "no rows"),
    ("time,zone,value\n2026-03-01T08:00:00Z,Z-T1,\n", "value column is empty on line 2"),
    ("time,zone,value\n2026-03-01T08:00:00Z,Z-T1,1\nyesterday,Z-T1,2\n",
     "'yesterday' on line 3"),
    ("time,zone,value\n2026-03-01T08:00:00Z,Z-T1,lots\n", "'lots' on line 2"),
    ("time,zone,value\n2026-03-01T08:00:00Z,Z-T1,inf\n", "finite"),
    ("time,zone,value\n2026-03-01T08:00:00Z,Z-ELSEWHERE,1\n", "not the pilot's: Z-ELSEWHERE"),
    ("time,zone,value\n2026-03-01T08:00:00Z,Z-T1,1\n2027-01-01T00:00:00Z,Z-T1,1\n",
     "1 rows lie outside the pilot's periods"),
])
def test_each_broken_rule_is_refused_with_its_reason(tmp_path: Path, text: str | bytes,
                                                      reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        _check(_file(tmp_path, text))
    assert reason in info.value.detail
    assert info.value.field == "file"


def test_parquet_with_text_values_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    pl.DataFrame({"time": [datetime(2026, 2, 1, tzinfo=UTC)], "zone": ["Z-T1"],
                  "value": [True]}).write_parquet(path)
    with pytest.raises(InvalidInput, match="must hold numbers"):
        _check(path)
