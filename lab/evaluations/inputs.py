"""Reading a KPI's data for an evaluation: scans that push zones and window to the reader.

A dataset KPI is read from the version's zone × hour rollup (`lab.datasets.rollups`) when
its aggregation follows from sums and counts (mean, sum), the window starts and ends on
whole hours and the version has a rollup; otherwise (median, p95, a window inside an hour,
versions converted before rollups) from the raw readings. `inputs["source"]` says which.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from minio import Minio
from minio.error import S3Error
from sqlmodel import Session, col, select

from lab.datasets import objects, rollups
from lab.datasets import service as datasets
from lab.datasets.models import Dataset, DatasetVersion
from lab.objectstore import bucket_prefix
from lab.pilots.protocol import DatasetSource, MeasurementSource
from lab.sandbox.measurements import COLUMNS as MEASUREMENT_COLUMNS
from lab.sandbox.models import Measurement
from storage import bucket_name, client_info, polars_options

AGGREGATIONS = {
    "mean": pl.col("y").mean(),
    "sum": pl.col("y").sum(),
    "median": pl.col("y").median(),
    "p95": pl.col("y").quantile(0.95, interpolation="linear"),
}
GRAIN = {"hour": "1h", "day": "1d", "week": "1w"}


class MissingData(Exception):
    """A KPI has no data to evaluate (no ready version, no measurements)."""


@dataclass(frozen=True)
class KpiData:
    """A KPI's readings in the pilot's zones and window, and where they came from."""

    readings: pl.LazyFrame  # columns: zone (str), t (datetime UTC), y (float); one per reading
    aggregation: str
    grain: str
    inputs: dict[str, Any]
    # True: `readings` are the rollup's zone × hour cells (zone, t, y = mean, s = sum,
    # c = non-null count), and buckets are computed from their sums and counts
    rollup: bool = False

    @property
    def frame(self) -> pl.LazyFrame:
        """One value per zone and bucket: the KPI's aggregation of the readings in it."""
        if self.rollup:
            return rollups.buckets(self.readings, self.aggregation, self.grain)
        return _bucketed(self.readings, self.aggregation, self.grain)


def _window(column: str, start: datetime, end: datetime) -> pl.Expr:
    return (pl.col(column) >= pl.lit(start)) & (pl.col(column) < pl.lit(end))


def _bucketed(lf: pl.LazyFrame, aggregation: str, grain: str) -> pl.LazyFrame:
    return (lf.with_columns(pl.col("t").dt.truncate(GRAIN[grain]))
              .group_by("zone", "t").agg(AGGREGATIONS[aggregation].alias("y")))


def dataset_kpi(*, session: Session, client: Minio, source: DatasetSource, zones: list[str],
                start: datetime, end: datetime, aggregation: str, grain: str) -> KpiData:
    """The KPI column of the latest ready version, limited to the zones and window."""
    dataset = session.get(Dataset, source.dataset_id)
    version = datasets.latest_ready_version(session=session, dataset_id=source.dataset_id)
    if dataset is None or version is None or not version.object_key:
        raise MissingData(f"dataset {source.dataset_id} has no ready version")
    inputs = {"kind": "dataset", "dataset_id": str(dataset.id), "version_id": str(version.id),
              "version": version.number, "sha256": version.sha256, "column": source.column}
    options = polars_options(client_info(client))
    rollup = _rollup(client, options, dataset, version, source.column, zones, start, end,
                     aggregation)
    if rollup is not None:
        return KpiData(rollup, aggregation, grain, inputs | {"source": "rollup"}, rollup=True)
    url = f"s3://{bucket_name('datasets', bucket_prefix())}/{version.object_key}"
    # Filters on the sorted zone column and on time are pushed into the Parquet reader,
    # which skips the row groups their statistics rule out.
    lf = (pl.scan_parquet(url, storage_options=options)
            .filter(pl.col(dataset.zone_column).cast(pl.String).is_in(zones),
                    _window(dataset.time_column, start, end))
            .select(pl.col(dataset.zone_column).cast(pl.String).alias("zone"),
                    pl.col(dataset.time_column).alias("t"),
                    pl.col(source.column).cast(pl.Float64).alias("y")))
    return KpiData(lf, aggregation, grain, inputs | {"source": "readings"})


def _whole_hour(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.timestamp() % 3600 == 0


def _rollup(client: Minio, options: dict[str, str], dataset: Dataset, version: DatasetVersion,
            column: str, zones: list[str], start: datetime, end: datetime,
            aggregation: str) -> pl.LazyFrame | None:
    """The version's rollup of `column` in the zones and window, when it gives the answer."""
    if aggregation not in rollups.AGGREGATIONS or not (_whole_hour(start) and _whole_hour(end)):
        return None
    key = objects.rollup_key(dataset.id, version.id)
    try:
        client.stat_object(objects.bucket(), key)
    except S3Error as exc:
        if exc.code in ("NoSuchKey", "NoSuchBucket", "ResourceNotFound"):
            return None  # converted before rollups existed
        raise
    lf = pl.scan_parquet(f"s3://{objects.bucket()}/{key}", storage_options=options)
    if not rollups.has_column(lf.collect_schema(), column):
        return None
    return (lf.filter(pl.col("zone").is_in(zones), _window("hour", start, end))
              .select("zone", pl.col("hour").alias("t"),
                      (pl.col(f"{column}.sum") / pl.col(f"{column}.count")).alias("y"),
                      pl.col(f"{column}.sum").alias("s"), pl.col(f"{column}.count").alias("c")))


def measurement_kpi(*, session: Session, client: Minio, pilot_id: uuid.UUID, kpi: str,
                    source: MeasurementSource, zones: list[str], start: datetime, end: datetime,
                    aggregation: str, grain: str) -> KpiData:
    """The startup's validated measurement files for the KPI (normalized: time, zone, value)."""
    # Only current files: withdrawn and replaced ones stay on record but are not counted.
    rows = session.exec(select(Measurement).where(Measurement.pilot_id == pilot_id,
                                                  Measurement.kpi == kpi,
                                                  col(Measurement.withdrawn_at).is_(None))
                        .order_by(col(Measurement.created_at), col(Measurement.id))).all()
    if not rows:
        raise MissingData(f"no measurements uploaded for KPI {kpi}")
    bucket = bucket_name("workspaces", bucket_prefix())
    options = polars_options(client_info(client))
    lf = pl.concat([pl.scan_parquet(f"s3://{bucket}/{m.object_key}", storage_options=options)
                    .select(*MEASUREMENT_COLUMNS) for m in rows])
    lf = (lf.filter(pl.col("zone").is_in(zones), _window("time", start, end))
            .select(pl.col("zone"), pl.col("time").alias("t"), pl.col("value").alias("y")))
    inputs = {"kind": "measurement", "unit": source.unit,
              "files": [{"id": str(m.id), "sha256": m.sha256, "rows": m.rows} for m in rows]}
    return KpiData(lf, aggregation, grain, inputs)


__all__ = ["AGGREGATIONS", "KpiData", "MissingData", "dataset_kpi",
           "measurement_kpi"]
