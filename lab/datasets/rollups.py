"""Zone × hour rollups: sufficient statistics of every numeric column, written at conversion.

`rollup.parquet` sits beside `data.parquet`. One row per zone and hour (UTC) that holds
readings: `zone`, `hour`, `rows` (readings in the cell), and for every numeric column `c`:
`c.count` (non-null values), `c.sum`, `c.sum2` (sum of squares), `c.min`, `c.max`,
`c.nulls`, all in Float64 but the counts. It is small enough to read whole (zones × hours,
not readings), and the mean, sum and count of any column per zone and hour, day or week
(UTC) follow from it exactly: those are what evaluations read instead of the readings.
Versions converted before rollups existed have none and are read from their readings.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow.parquet as pq

ROLLUP_FILE = "rollup.parquet"
STATS = ("count", "sum", "sum2", "min", "max", "nulls")
_COUNTS = ("count", "nulls")


def rollup(frame: pl.DataFrame, *, zone: str, time: str) -> pl.DataFrame:
    """The zone × hour statistics of `frame`, sorted by zone then time (as conversion has it).

    On sorted rows a cell is a run: its statistics are `reduceat`s at the run starts, about
    four times faster than a `group_by` on zone and hour (3.5 M rows: 2.3 s against 10 s).
    """
    hour = frame[time].dt.truncate("1h")
    zones = frame[zone].cast(pl.String)
    change = ((hour != hour.shift(1)) | (zones != zones.shift(1))).fill_null(True)
    starts = np.flatnonzero(change.to_numpy())
    rows = np.diff(starts, append=frame.height).astype(np.int64)
    cells: dict[str, pl.Series] = {"zone": zones.gather(starts), "hour": hour.gather(starts),
                                   "rows": pl.Series(rows)}
    if not frame.height:
        cells = {"zone": zones, "hour": hour, "rows": pl.Series([], dtype=pl.Int64)}
    for name, dtype in frame.schema.items():
        if name in (zone, time) or not dtype.is_numeric():
            continue
        if not frame.height:
            cells |= {f"{name}.{stat}": pl.Series([], dtype=pl.Int64 if stat in _COUNTS
                                                  else pl.Float64) for stat in STATS}
            continue
        column = frame[name].cast(pl.Float64)
        if column.null_count() == 0:  # the common case: four reductions, no masks (-40%)
            x = column.to_numpy()
            count, empty = rows, np.empty(0, dtype=np.int64)
            low, high = np.minimum.reduceat(x, starts), np.maximum.reduceat(x, starts)
        else:
            valid = column.is_not_null().to_numpy()
            x = column.fill_null(0.0).to_numpy()
            count = np.add.reduceat(valid.astype(np.int64), starts)
            empty = np.flatnonzero(count == 0)
            low = np.minimum.reduceat(np.where(valid, x, np.inf), starts)
            high = np.maximum.reduceat(np.where(valid, x, -np.inf), starts)
        cells |= {f"{name}.count": pl.Series(count),
                  f"{name}.sum": pl.Series(np.add.reduceat(x, starts)),
                  f"{name}.sum2": pl.Series(np.add.reduceat(x * x, starts)),
                  f"{name}.min": pl.Series(low).scatter(empty, None),
                  f"{name}.max": pl.Series(high).scatter(empty, None),
                  f"{name}.nulls": pl.Series(rows - count)}
    return pl.DataFrame(cells)


# From per-cell sums `s` and non-null counts `c`: exact at any grain, since UTC hours, days
# and weeks are unions of whole hours. An all-null bucket has no mean and a sum of 0, as
# when the readings are aggregated.
AGGREGATIONS = {
    "mean": pl.when(pl.col("c").sum() > 0).then(pl.col("s").sum() / pl.col("c").sum()),
    "sum": pl.col("s").sum(),
}
GRAIN = {"hour": "1h", "day": "1d", "week": "1w"}


def buckets(cells: pl.LazyFrame, aggregation: str, grain: str) -> pl.LazyFrame:
    """Zone × bucket values (zone, t, y) from rollup cells (zone, t = hour, s, c)."""
    return (cells.with_columns(pl.col("t").dt.truncate(GRAIN[grain])).group_by("zone", "t")
            .agg(AGGREGATIONS[aggregation].alias("y")))


class RollupWriter:
    """Appends the rollups of zone-disjoint parts, given in zone order, to one file."""

    def __init__(self, out: Path | BinaryIO, *, zone: str, time: str) -> None:
        self.out, self.zone, self.time = out, zone, time
        self.writer: pq.ParquetWriter | None = None

    def add(self, frame: pl.DataFrame) -> None:
        table = rollup(frame, zone=self.zone, time=self.time).to_arrow()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.out, table.schema, compression="zstd",
                                           use_dictionary=["zone"], write_statistics=True)
        self.writer.write_table(table, row_group_size=64 * 1024)

    def close(self) -> bool:
        """Finish the file; False (and no file) when no rows were added."""
        if self.writer is None:
            return False
        self.writer.close()
        return True


def has_column(schema: pl.Schema, column: str) -> bool:
    """Whether a rollup with this schema holds statistics of `column`."""
    return all(f"{column}.{stat}" in schema for stat in STATS)


__all__ = ["AGGREGATIONS", "ROLLUP_FILE", "STATS", "RollupWriter", "buckets", "has_column",
           "rollup"]
