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

import polars as pl
import pyarrow.parquet as pq

ROLLUP_FILE = "rollup.parquet"
STATS = ("count", "sum", "sum2", "min", "max", "nulls")


def rollup(frame: pl.DataFrame, *, zone: str, time: str) -> pl.DataFrame:
    """The zone × hour statistics of `frame` (columns as described above), sorted."""
    aggs = [pl.len().cast(pl.Int64).alias("rows")]
    for name, dtype in frame.schema.items():
        if name in (zone, time) or not dtype.is_numeric():
            continue
        x = pl.col(name).cast(pl.Float64)
        aggs += [x.count().cast(pl.Int64).alias(f"{name}.count"), x.sum().alias(f"{name}.sum"),
                 (x * x).sum().alias(f"{name}.sum2"), x.min().alias(f"{name}.min"),
                 x.max().alias(f"{name}.max"),
                 x.null_count().cast(pl.Int64).alias(f"{name}.nulls")]
    return (frame.group_by(pl.col(zone).cast(pl.String).alias("zone"),
                           pl.col(time).dt.truncate("1h").alias("hour"))
            .agg(aggs).sort("zone", "hour"))


class RollupWriter:
    """Appends the rollups of zone-disjoint parts, given in zone order, to one file."""

    def __init__(self, out: Path, *, zone: str, time: str) -> None:
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


__all__ = ["ROLLUP_FILE", "STATS", "RollupWriter", "has_column", "rollup"]
