"""The measurement file contract, checked on a local file: no database, no object store.

A measurement file holds the values of one KPI whose source is an uploaded measurement:

- CSV (UTF-8, comma-separated, a header row) or Parquet;
- exactly three columns, in any order:
  `time`  — when the value was measured: ISO 8601 text with `Z` or an offset
            (`2026-03-01T08:00:00Z`; without one, UTC is assumed; one format for all rows),
            or a Parquet date/datetime;
  `zone`  — text, the code of one of the pilot's treated or control zones;
  `value` — a finite number, in the KPI's unit;
- at least one row, no empty cell, every time inside the pilot's periods
  (from the baseline's start to the pilot's end).

A valid file is stored normalized: Parquet with `time` as UTC datetimes, `zone` as text,
`value` as Float64, sorted by zone then time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import polars as pl

from lab.exceptions import InvalidInput

COLUMNS = ("time", "zone", "value")
FIELD = "file"
_MAGIC = b"PAR1"
_SNIFF = 64 * 1024
_SHOWN = 5

Format = Literal["csv", "parquet"]


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid measurement file, normalized, and what it holds."""

    frame: pl.DataFrame
    format: Format
    rows: int
    zones: list[str]
    time_min: datetime
    time_max: datetime


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field=FIELD)


def sniff(path: Path) -> Format:
    """Parquet by its magic bytes, else UTF-8 text taken as CSV; anything else is refused."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF)
    if not head:
        raise _refuse("The file is empty.")
    if head.startswith(_MAGIC):
        return "parquet"
    cut = head if len(head) < _SNIFF else head[: head.rfind(b"\n") + 1] or head
    try:
        if b"\x00" in cut:
            raise UnicodeDecodeError("utf-8", cut, 0, 1, "NUL byte")
        cut.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("The file is neither Parquet nor UTF-8 CSV text.") from None
    return "csv"


def _where(index: int, fmt: Format) -> str:
    return f"on line {index + 2}" if fmt == "csv" else f"in row {index + 1}"


def _read(path: Path, fmt: Format) -> pl.DataFrame:
    try:
        if fmt == "csv":
            return pl.read_csv(path, infer_schema=False)
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or ["unreadable"])[0][:300]
        raise _refuse(f"The {fmt} file cannot be read: {first}") from None


def _columns(frame: pl.DataFrame) -> None:
    names = frame.columns
    missing = [c for c in COLUMNS if c not in names]
    extra = [c for c in names if c not in COLUMNS]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(extra[:_SHOWN])}")
        raise _refuse(f"A measurement file has exactly the columns time, zone and value "
                      f"({'; '.join(parts)}).")


def _first_bad(mask: pl.Series) -> int | None:
    hits = mask.arg_true()
    return int(hits[0]) if len(hits) else None


def _typed(frame: pl.DataFrame, fmt: Format) -> pl.DataFrame:
    """time as UTC datetimes, zone as text, value as Float64; refuse what does not convert."""
    for name in COLUMNS:
        if (bad := _first_bad(frame[name].is_null())) is not None:
            raise _refuse(f"The {name} column is empty {_where(bad, fmt)}.")
    time, zone, value = frame["time"], frame["zone"], frame["value"]
    if isinstance(time.dtype, pl.Datetime):
        time = time.dt.cast_time_unit("us")
        time = (time.dt.replace_time_zone("UTC") if time.dtype.time_zone is None  # type: ignore[attr-defined]
                else time.dt.convert_time_zone("UTC"))
    elif time.dtype == pl.Date:
        time = time.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    elif time.dtype == pl.String:
        parsed = time.str.to_datetime(time_unit="us", time_zone="UTC", strict=False)
        if (bad := _first_bad(parsed.is_null())) is not None:
            raise _refuse(f"The time column holds {time[bad]!r} {_where(bad, fmt)}: not ISO "
                          "8601 (e.g. 2026-03-01T08:00:00Z), or not in the format of the "
                          "first row.")
        time = parsed
    else:
        raise _refuse(f"The time column has type {time.dtype}; it must hold datetimes.")
    if zone.dtype not in (pl.String, pl.Categorical) and not isinstance(zone.dtype, pl.Enum):
        raise _refuse(f"The zone column has type {zone.dtype}; it must hold zone codes as text.")
    if value.dtype == pl.String:
        numbers = value.str.strip_chars().cast(pl.Float64, strict=False)
        if (bad := _first_bad(numbers.is_null())) is not None:
            raise _refuse(f"The value column holds {value[bad]!r} {_where(bad, fmt)}, "
                          "which is not a number.")
        value = numbers
    elif value.dtype.is_numeric():
        value = value.cast(pl.Float64)
    else:
        raise _refuse(f"The value column has type {value.dtype}; it must hold numbers.")
    if (bad := _first_bad(~value.is_finite())) is not None:
        raise _refuse(f"The value column holds {value[bad]} {_where(bad, fmt)}; values must "
                      "be finite numbers.")
    return pl.DataFrame({"time": time, "zone": zone.cast(pl.String), "value": value})


def check(path: Path, *, zones: set[str], start: datetime, end: datetime) -> Checked:
    """Check a measurement file against the contract; 422 with the reason otherwise."""
    fmt = sniff(path)
    frame = _read(path, fmt)
    _columns(frame)
    if frame.height == 0:
        raise _refuse("The file has no rows.")
    frame = _typed(frame, fmt)
    unknown = sorted(set(frame["zone"].unique().to_list()) - zones)
    if unknown:
        shown = ", ".join(unknown[:_SHOWN]) + (", …" if len(unknown) > _SHOWN else "")
        raise _refuse(f"Zones that are not the pilot's: {shown}. The pilot's zones are "
                      f"{', '.join(sorted(zones))}.")
    outside = (frame["time"] < start) | (frame["time"] >= end)
    if (bad := _first_bad(outside)) is not None:
        raise _refuse(f"{int(outside.sum())} rows lie outside the pilot's periods "
                      f"({start.isoformat()} to {end.isoformat()}); the first "
                      f"{_where(bad, fmt)} is at {frame['time'][bad].isoformat()}.")
    frame = frame.sort(["zone", "time"], maintain_order=True)
    return Checked(frame=frame, format=fmt, rows=frame.height,
                   zones=sorted(set(frame["zone"].to_list())),
                   time_min=frame["time"].min(), time_max=frame["time"].max())  # type: ignore[arg-type]


__all__ = ["COLUMNS", "Checked", "Format", "check", "sniff"]
