"""Uploaded tables: recognise them, check them against the declared columns, and convert them
to the stored layout. Local files only: no database, no object store.

The stored layout is one Parquet file sorted by zone then time (out of core, see
`external_sort`), the zone column a string column written with dictionary encoding, the
time column `Datetime("us", "UTC")` (naive timestamps are read as UTC, offsets are
converted; one file may not mix the two), row groups of `ROW_GROUP_ROWS` rows with min/max
statistics on the zone, the time and the numeric columns, so later filters on zones and time
skip the row groups they don't need. CSV text must be UTF-8; its separator (comma,
semicolon, tab or pipe) is read from the header line.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow.parquet as pq

from lab.datasets.external_sort import Sink, sort_to_parquet
from lab.datasets.rollups import RollupWriter
from lab.exceptions import InvalidInput

SourceFormat = Literal["csv", "parquet"]

PARQUET_MAGIC = b"PAR1"
SAMPLE_ROWS = 1000
CSV_INFER_ROWS = 10_000
ROW_GROUP_ROWS = 128 * 1024
# LZ4 decodes about a third faster than zstd on the evaluation and extract scans, for files
# about 1.6 times larger (measured with bench/evaluate.py on 50 million readings).
COMPRESSION: Literal["lz4"] = "lz4"
MAX_ZONES = 50_000
_SNIFF_BYTES = 64 * 1024
_SEPARATORS = (",", ";", "\t", "|")
# ISO 8601 dates and datetimes as cities export them: `T` or a space, optional seconds and
# fraction, optional `Z` or offset.
ISO_8601 = (r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
            r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$")
_NOT_ISO = "not ISO 8601: "
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
_EXAMPLE = "e.g. 2024-03-01T08:00:00Z or 2024-03-01"


@dataclass(frozen=True, slots=True)
class Source:
    """What an upload is: its format, and for a CSV its column separator."""

    format: SourceFormat
    separator: str = ","


@dataclass(frozen=True, slots=True)
class Description:
    """What a converted file holds."""

    row_count: int
    columns: list[dict[str, Any]]
    time_min: datetime
    time_max: datetime
    zones: list[str]


def _polars_message(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else exc.__class__.__name__)[:500]


def sniff(path: Path) -> Source:
    """Tell Parquet (by its `PAR1` magic) from UTF-8 CSV text; refuse anything else."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        raise InvalidInput("The file is empty.", field="file")
    if head.startswith(PARQUET_MAGIC):
        return Source("parquet")
    # Cut at the last newline so a multi-byte character split by the read is not an error.
    text_part = head if len(head) < _SNIFF_BYTES else head[: head.rfind(b"\n") + 1] or head
    try:
        if b"\x00" in text_part:
            raise UnicodeDecodeError("utf-8", text_part, 0, 1, "NUL byte")
        text = text_part.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InvalidInput("The file is neither Parquet (it does not start with PAR1) nor "
                           "UTF-8 CSV text; compressed or spreadsheet files are not accepted.",
                           field="file") from None
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    separator = max(_SEPARATORS, key=lambda sep: counts[sep])
    return Source("csv", separator if counts[separator] else ",")


def _check_columns(names: list[str], time_column: str, zone_column: str) -> None:
    shown = ", ".join(names[:30]) + (", …" if len(names) > 30 else "")
    for role, column in (("time", time_column), ("zone", zone_column)):
        if column not in names:
            raise InvalidInput(f"The declared {role} column {column!r} is not in the file; "
                               f"its columns are: {shown}.", field=f"{role}_column")


def _where(index: int, source: Source) -> str:
    # A CSV's first data row is line 2 (quoted line breaks aside).
    return f"on line {index + 2}" if source.format == "csv" else f"in row {index + 1}"


def _blank_is_null(name: str) -> pl.Expr:
    # Surrounding spaces are not part of a code or a time; a blank cell is an empty one.
    text = pl.col(name).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(name)


def _check_sample(sample: pl.DataFrame, source: Source, time_column: str,
                  zone_column: str) -> None:
    if sample.height == 0:
        raise InvalidInput("The file has no data rows.", field="file")
    sample = sample.with_columns(_blank_is_null(c) for c in (time_column, zone_column)
                                 if sample.schema[c] == pl.String)
    for role, column in (("time", time_column), ("zone", zone_column)):
        nulls = sample[column].is_null().arg_true()
        if len(nulls):
            raise InvalidInput(f"The {role} column {column!r} is empty "
                               f"{_where(int(nulls[0]), source)}; every row needs a time and "
                               "a zone.", field=f"{role}_column")
    zone_type = sample.schema[zone_column]
    if not isinstance(zone_type, _TEXT_TYPES):
        raise InvalidInput(f"The zone column {zone_column!r} has type {zone_type}; it must hold "
                           "zone codes as text.", field="zone_column")
    time = sample[time_column]
    if isinstance(time.dtype, pl.Datetime | pl.Date):
        return
    if time.dtype != pl.String:
        raise InvalidInput(f"The time column {time_column!r} has type {time.dtype}; it must be "
                           f"a date, a datetime or ISO 8601 text ({_EXAMPLE}).",
                           field="time_column")
    bad = (~time.str.contains(ISO_8601)).arg_true()
    if len(bad):
        index = int(bad[0])
        raise InvalidInput(f"The time column {time_column!r} holds {time[index]!r} "
                           f"{_where(index, source)}, which is not an ISO 8601 date or "
                           f"datetime ({_EXAMPLE}).", field="time_column")
    try:
        sample.select(_to_utc(pl.col(time_column), pl.String))
    except pl.exceptions.PolarsError as exc:
        raise InvalidInput(f"The time column {time_column!r} cannot be read as datetimes "
                           f"(mixed formats or offsets?): {_polars_message(exc)}",
                           field="time_column") from None


def check(path: Path, *, time_column: str, zone_column: str) -> Source:
    """Recognise the file and check its header (or footer) and first rows; 422 on a problem."""
    source = sniff(path)
    try:
        if source.format == "csv":
            names = pl.read_csv(path, separator=source.separator, n_rows=0).columns
            _check_columns(names, time_column, zone_column)
            # a lazy head reads the first rows only (read_csv's n_rows: 5× slower on 400 MiB)
            sample = pl.scan_csv(path, separator=source.separator,
                                 infer_schema_length=SAMPLE_ROWS,
                                 schema_overrides={time_column: pl.String,
                                                   zone_column: pl.String}
                                 ).head(SAMPLE_ROWS).collect()
        else:
            pq.read_metadata(path)  # the footer: a truncated file fails here
            lazy = pl.scan_parquet(path)
            _check_columns(lazy.collect_schema().names(), time_column, zone_column)
            sample = lazy.head(SAMPLE_ROWS).collect()
    except InvalidInput:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        kind = "CSV" if source.format == "csv" else "Parquet file"
        raise InvalidInput(f"The {kind} cannot be read: {_polars_message(exc)}",
                           field="file") from None
    _check_sample(sample, source, time_column, zone_column)
    return source


# The ISO 8601 shapes exports use most. When every sampled time has one of them, the whole
# column is parsed with it: an explicit format parses about twice as fast as a per-value
# check and an inferred one (10 M rows: 14 s instead of 41 s for the scan), and a value
# that does not match still fails the strict parse, quoted.
_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%:z",
            "%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M")
_FAILED_PARSE = "to `datetime"


def _time_format(sample: pl.Series) -> str | None:
    """The one format of `_FORMATS` every value of the sample has, if any."""
    values = sample.str.strip_chars().drop_nulls().filter(sample.str.strip_chars() != "")
    if values.is_empty():
        return None
    for fmt in _FORMATS:
        try:
            values.str.to_datetime(format=fmt, time_unit="us", time_zone="UTC", strict=True)
        except pl.exceptions.PolarsError:
            continue
        return fmt
    return None


def _to_utc(column: pl.Expr, dtype: pl.DataType | type[pl.DataType],
            fmt: str | None = None) -> pl.Expr:
    """The time column as `Datetime("us", "UTC")`."""
    if isinstance(dtype, pl.Datetime):
        column = column.dt.cast_time_unit("us")
        if dtype.time_zone is None:
            return column.dt.replace_time_zone("UTC")
        return column.dt.convert_time_zone("UTC")
    if dtype == pl.Date:
        return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if fmt is not None:
        return column.str.to_datetime(format=fmt, time_unit="us", time_zone="UTC", strict=True)
    # A value that is not ISO 8601 gets a prefix no format matches, so the strict parse
    # fails and its message quotes the value.
    text = (pl.when(column.str.contains(ISO_8601) | column.is_null()).then(column)
            .otherwise(pl.lit(_NOT_ISO) + column))
    return text.str.to_datetime(time_unit="us", time_zone="UTC", strict=True)


def scan(path: Path | str, source: Source, *, time_column: str, zone_column: str,
         storage_options: dict[str, str] | None = None, trim: bool = True) -> pl.LazyFrame:
    """The upload as a lazy frame with the time column in UTC and the zone column as text.

    `path` may be an `s3://` URL with its `storage_options`: Polars reads a Parquet object
    by ranged GETs in bounded memory, but a CSV object it first copies whole to a local
    cache (see `lab.datasets.versions`), so the job hands it CSVs as local files.
    With `trim=False` the time and zone cells are taken as they come, without removing
    surrounding spaces or reading blank cells as empty (see `convert`'s first pass).
    """
    if source.format == "csv":
        lazy = pl.scan_csv(path, separator=source.separator, infer_schema_length=CSV_INFER_ROWS,
                           schema_overrides={time_column: pl.String, zone_column: pl.String},
                           storage_options=storage_options)
    else:
        lazy = pl.scan_parquet(path, storage_options=storage_options)
    schema = lazy.collect_schema()
    fmt = None
    if schema[time_column] == pl.String:
        time = _blank_is_null(time_column) if trim else pl.col(time_column)
        fmt = _time_format(lazy.head(SAMPLE_ROWS).select(time_column).collect()[time_column])
    else:
        time = pl.col(time_column)
    return lazy.with_columns(_to_utc(time, schema[time_column], fmt).alias(time_column),
                             _blank_is_null(zone_column).cast(pl.String)
                             if schema[zone_column] == pl.String and trim
                             else pl.col(zone_column).cast(pl.String))


class _Untrimmed(Exception):
    """The first pass met a cell the second must read: spaces around a zone or a time."""


def _trimmed_zones(zones: pl.Series) -> None:
    if (zones.str.strip_chars() != zones).any() or (zones == "").any():
        raise _Untrimmed


def convert(path: Path | str, source: Source, out: Sink, *, time_column: str,
            zone_column: str, rollup: Sink | None = None, work_dir: Path | None = None,
            storage_options: dict[str, str] | None = None) -> Description:
    """Write the upload to `out` in the stored layout, in bounded memory, and describe it;
    422 on bad data (before the last of `out` is written: a stream can still be abandoned).

    The sort runs out of core (`external_sort`): memory does not grow with the row count.
    With `rollup`, the zone × hour sufficient statistics of every numeric column are
    written there too (`rollups`), from the same sorted ranges. `out` and `rollup` are
    files or writable streams (written front to back); the sort's range files go under
    `work_dir` (by default beside `out`); `path` may be an `s3://` URL (see `scan`).
    """
    if work_dir is None:
        if not isinstance(out, Path):
            raise ValueError("a work_dir is needed when the output is not a file")
        work_dir = out.parent
    try:
        # First pass: cells as they come (trimming every time and zone cost a quarter of
        # the partition pass: 100 M rows, 11.9 s against 7.7 s). A time the strict parse
        # refuses, or a zone with spaces around it (the sample's zones and those it missed
        # are checked before anything is written), sends the upload to the second pass,
        # which trims and reports what is still wrong.
        for trim in (False, True):
            plan = scan(path, source, time_column=time_column, zone_column=zone_column,
                        storage_options=storage_options, trim=trim)
            try:
                return _sort(plan, out, rollup, work_dir, time_column, zone_column,
                             check_zones=None if trim else _trimmed_zones)
            except _Untrimmed:
                continue
            except pl.exceptions.PolarsError as exc:
                if trim or _FAILED_PARSE not in str(exc):
                    raise
        raise AssertionError("the second pass trims: it does not ask for another")
    except (pl.exceptions.PolarsError, InvalidInput) as exc:
        for written in (out, rollup):
            if isinstance(written, Path):
                written.unlink(missing_ok=True)
        if isinstance(exc, InvalidInput):
            raise
        message = _polars_message(exc)
        if _NOT_ISO in message or _FAILED_PARSE in message:
            raise InvalidInput(f"The time column {time_column!r} holds values that are not "
                               f"ISO 8601 dates or datetimes ({_EXAMPLE}): {message}",
                               field="time_column") from None
        raise InvalidInput(f"The file cannot be converted: {message}", field="file") from None


def _sort(plan: pl.LazyFrame, out: Sink, rollup: Sink | None, work_dir: Path, time_column: str,
          zone_column: str, check_zones: Callable[[pl.Series], None] | None) -> Description:
    schema = plan.collect_schema()
    text = [name for name, dtype in schema.items()
            if not dtype.is_numeric() and not dtype.is_temporal()]
    rollups = RollupWriter(rollup, zone=zone_column, time=time_column) if rollup else None
    describer = _Describer(schema, time_column=time_column, zone_column=zone_column)

    def on_sorted(frame: pl.DataFrame) -> None:
        describer.add(frame)
        if rollups is not None:
            rollups.add(frame)

    with tempfile.TemporaryDirectory(dir=work_dir, prefix=".sort-") as tmp:
        # ties keep upload order, so one upload always gives the same bytes
        sort_to_parquet(plan, out, Path(tmp), zone=zone_column, time=time_column,
                        row_group_rows=ROW_GROUP_ROWS, on_sorted=on_sorted,
                        check_zones=check_zones, finished=describer.description,
                        compression=COMPRESSION,
                        # min/max where filters use them: zone, time and numbers; a text
                        # column's (a sensor code) cost a tenth of the writing
                        write_statistics=[name for name in schema if name not in text
                                          or name == zone_column],
                        use_dictionary=[zone_column, *text],
                        dictionary_pagesize_limit=256 * 1024 * 1024)
    if rollups is not None:
        rollups.close()
    return describer.description()


def zone_is_dictionary_encoded(path: Path, zone_column: str) -> bool:
    """Whether every row group stores the zone column with a dictionary."""
    metadata = pq.read_metadata(path)
    index = metadata.schema.names.index(zone_column)
    return all("RLE_DICTIONARY" in metadata.row_group(i).column(index).encodings
               for i in range(metadata.num_row_groups))


def _description(*, rows: int, time_min: Any, time_max: Any, time_nulls: int,
                 zone_nulls: int, zones: list[str], columns: list[dict[str, Any]],
                 time_column: str, zone_column: str) -> Description:
    """The description, or a 422 when rows, times or zones are missing or zones too many."""
    if rows == 0:
        raise InvalidInput("The file has no data rows.", field="file")
    for role, column, nulls in (("time", time_column, time_nulls),
                                ("zone", zone_column, zone_nulls)):
        if nulls:
            raise InvalidInput(f"The {role} column {column!r} is empty on {nulls} of "
                               f"{rows} rows; every row needs a time and a zone.",
                               field=f"{role}_column")
    if len(zones) > MAX_ZONES:
        raise InvalidInput(f"The zone column {zone_column!r} holds {len(zones)} distinct "
                           f"values, more than {MAX_ZONES}: is it really the zone column?",
                           field="zone_column")
    return Description(row_count=rows, columns=columns, time_min=time_min, time_max=time_max,
                       zones=zones)


def _columns(schema: pl.Schema) -> list[dict[str, Any]]:
    return [{"name": name, "dtype": str(dtype), "numeric": dtype.is_numeric()}
            for name, dtype in schema.items()]


class _Describer:
    """The description of the converted file, gathered from its sorted ranges as they are
    written (in zone then time order), instead of reading the file back: 1.6 s less at
    100 M rows, and a file refused here is never stored."""

    def __init__(self, schema: pl.Schema, *, time_column: str, zone_column: str) -> None:
        self.schema, self.time, self.zone = schema, time_column, zone_column
        self.rows = self.time_nulls = self.zone_nulls = 0
        self.time_min: Any = None
        self.time_max: Any = None
        self.zones: list[str] = []

    def add(self, frame: pl.DataFrame) -> None:
        time, zone = pl.col(self.time), pl.col(self.zone)
        stats = frame.select(pl.len().alias("rows"), time.min().alias("min"),
                             time.max().alias("max"), time.null_count().alias("time_nulls"),
                             zone.null_count().alias("zone_nulls")).row(0, named=True)
        self.rows += stats["rows"]
        self.time_nulls += stats["time_nulls"]
        self.zone_nulls += stats["zone_nulls"]
        for bound, pick in (("min", min), ("max", max)):
            if stats[bound] is not None:
                seen = getattr(self, f"time_{bound}")
                setattr(self, f"time_{bound}",
                        stats[bound] if seen is None else pick(seen, stats[bound]))
        # sorted: a zone's rows are one run, which may go on from the previous range (a zone
        # too big for one range is split by time)
        zones = frame[self.zone].drop_nulls()
        runs = zones.filter((zones != zones.shift(1)).fill_null(True)).to_list()
        self.zones += runs[1:] if runs and self.zones and runs[0] == self.zones[-1] else runs

    def description(self) -> Description:
        return _description(rows=self.rows, time_min=self.time_min, time_max=self.time_max,
                            time_nulls=self.time_nulls, zone_nulls=self.zone_nulls,
                            zones=self.zones, columns=_columns(self.schema),
                            time_column=self.time, zone_column=self.zone)


def describe(path: Path | str, *, time_column: str, zone_column: str,
             storage_options: dict[str, str] | None = None) -> Description:
    """Schema, row count, time range and zones of a converted file; 422 on missing values.

    `path` may be an `s3://` URL: only the zone and time columns are read (ranged GETs).
    (`convert` returns the same description, gathered as it writes.)
    """
    lazy = pl.scan_parquet(path, storage_options=storage_options)
    time, zone = pl.col(time_column), pl.col(zone_column)
    stats = lazy.select(pl.len().alias("rows"), time.min().alias("min"),
                        time.max().alias("max"), time.null_count().alias("time_nulls"),
                        zone.null_count().alias("zone_nulls")).collect().row(0, named=True)
    zones = lazy.select(zone.drop_nulls().unique().sort()).collect()[zone_column].to_list()
    return _description(rows=stats["rows"], time_min=stats["min"], time_max=stats["max"],
                        time_nulls=stats["time_nulls"], zone_nulls=stats["zone_nulls"],
                        zones=zones, columns=_columns(lazy.collect_schema()),
                        time_column=time_column, zone_column=zone_column)


def first_rows(table: Any, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` rows of an Arrow table or batch as JSON-ready dicts (NaN, inf: null)."""
    rows = pl.DataFrame(pl.from_arrow(table)).head(limit).to_dicts()
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in row.items()} for row in rows]


__all__ = ["Description", "ISO_8601", "MAX_ZONES", "PARQUET_MAGIC", "ROW_GROUP_ROWS",
           "SAMPLE_ROWS", "Source", "SourceFormat", "check", "convert", "describe",
           "first_rows", "scan", "sniff", "zone_is_dictionary_encoded"]
