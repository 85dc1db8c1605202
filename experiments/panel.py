"""Unit × time-bucket panels: raw readings aggregated lazily to bucket means.

A `Panel` is the small summary a panel difference-in-differences works on: one mean per
unit and time bucket, which units are treated, which buckets fall in the pilot period, and
the cluster of each unit. `build_panel` makes one from raw readings in one streaming pass;
`make_panel` makes one from arrays (simulations, tests).

Readings that arrive sorted by unit then time (the catalog stores every dataset that way) are
reduced without hashing: in each streamed batch a unit's rows form runs, a run's bucket
edges are found by binary search on its times, and each bucket's sum is one `reduceat`.
Rows that are not in that order are still counted exactly (per-run buckets by `np.unique`),
so the order is a speed-up, never an assumption; inputs the fast pass does not cover (a
cluster column, no time grain, dates, local time zones) take a Polars `group_by`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from experiments.summaries import collect, require_columns

TimeGrain = Literal["hour", "day", "week"]
GRAIN_EVERY: dict[str, str] = {"hour": "1h", "day": "1d", "week": "1w"}

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class Panel:
    """Unit × period means with treatment per unit, pilot flag per period, cluster per unit."""

    units: tuple[str, ...]
    periods: tuple[str, ...]
    unit_idx: IntArray
    time_idx: IntArray
    y: npt.NDArray[np.float64]
    treated: BoolArray
    post: BoolArray
    cluster_idx: IntArray
    clusters: tuple[str, ...]
    n_readings: int
    warnings: tuple[str, ...] = ()

    @property
    def n_cells(self) -> int:
        """Number of unit × period cells with data."""
        return int(self.y.size)


def make_panel(
    unit_idx: npt.ArrayLike,
    time_idx: npt.ArrayLike,
    y: npt.ArrayLike,
    treated: npt.ArrayLike,
    post: npt.ArrayLike,
    cluster_idx: npt.ArrayLike | None = None,
) -> Panel:
    """Build a `Panel` from integer unit/period codes per cell and per-unit/per-period flags."""
    tr = np.asarray(treated, dtype=bool)
    po = np.asarray(post, dtype=bool)
    cl = np.arange(tr.size) if cluster_idx is None else np.asarray(cluster_idx, dtype=np.int64)
    ui = np.asarray(unit_idx, dtype=np.int64)
    ti = np.asarray(time_idx, dtype=np.int64)
    yy = np.asarray(y, dtype=np.float64)
    if not (ui.shape == ti.shape == yy.shape) or cl.size != tr.size:
        raise ValueError("unit_idx, time_idx and y must have one entry per cell")
    return Panel(
        units=tuple(str(u) for u in range(tr.size)), periods=tuple(str(t) for t in range(po.size)),
        unit_idx=ui, time_idx=ti, y=yy, treated=tr, post=po, cluster_idx=cl,
        clusters=tuple(str(c) for c in range(int(cl.max()) + 1 if cl.size else 0)),
        n_readings=int(yy.size),
    )


def baseline_placebo(panel: Panel) -> Panel | None:
    """Keep baseline periods only, with a placebo pilot start halfway (None if < 4 periods)."""
    base = np.flatnonzero(~panel.post)
    if base.size < 4:
        return None
    new_index = np.full(panel.post.size, -1)
    new_index[base] = np.arange(base.size)
    keep = new_index[panel.time_idx] >= 0
    placebo_post = np.arange(base.size) >= base.size // 2
    return replace(
        panel, unit_idx=panel.unit_idx[keep], time_idx=new_index[panel.time_idx[keep]],
        y=panel.y[keep], post=placebo_post, periods=tuple(panel.periods[i] for i in base),
    )


def _as_literal(value: object, dtype: pl.DataType) -> pl.Expr:
    """Return `value` as a literal of the time column's dtype (parsing ISO strings)."""
    if isinstance(value, str) and dtype.is_temporal():
        if isinstance(dtype, pl.Datetime):
            return pl.lit(value).str.to_datetime(time_unit=dtype.time_unit,
                                                 time_zone=dtype.time_zone)
        return pl.lit(value).str.to_datetime().cast(dtype)
    if isinstance(value, str) and dtype.is_numeric():
        return pl.lit(float(value)).cast(dtype)
    return pl.lit(value).cast(dtype)


def post_flag(
    lf: pl.LazyFrame, *, post: str | None = None, time: str | None = None,
    pilot_start: object = None,
) -> pl.Expr:
    """Pilot-period flag: a boolean column `post`, or `time >= pilot_start`."""
    if post is not None:
        require_columns(lf, post)
        return pl.col(post).cast(pl.Boolean)
    if time is None or pilot_start is None:
        raise ValueError("give either a post flag column or a time column and a pilot start")
    require_columns(lf, time)
    return pl.col(time) >= _as_literal(pilot_start, lf.collect_schema()[time])


def build_panel(
    lf: pl.LazyFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated_units: Sequence[str],
    pilot_start: object,
    control_units: Sequence[str] | None = None,
    time_grain: TimeGrain | None = None,
    cluster: str | None = None,
) -> Panel:
    """Aggregate raw readings to unit × bucket means (lazy, streaming) and return a `Panel`.

    Units not listed as treated are controls unless `control_units` is given, in which case
    other units are left out. A bucket that contains the pilot start is dropped. Without a
    pilot start every period is baseline (for power calculations).
    """
    require_columns(lf, unit, time, outcome, cluster)
    treated_set = {str(u) for u in treated_units}
    if control_units is not None and treated_set & {str(u) for u in control_units}:
        raise ValueError("a unit is listed as both treated and control")
    dtype = lf.collect_schema()[time]
    if time_grain is not None and not dtype.is_temporal():
        raise ValueError(f"--time-grain needs a date/time column; {time!r} is {dtype}")
    start = _as_literal(pilot_start, dtype) if pilot_start is not None else None
    with_nulls = lf.select(pl.col(unit).alias("unit"), pl.col(time).alias("t"),
                           pl.col(outcome).cast(pl.Float64).alias("y"),
                           *([pl.col(cluster).alias("cl")] if cluster else []))
    if control_units is not None:
        keep = treated_set | {str(c) for c in control_units}
        with_nulls = with_nulls.filter(pl.col("unit").cast(pl.String).is_in(sorted(keep)))
    q = with_nulls.drop_nulls()
    warnings: tuple[str, ...] = ()
    start_bucket = None
    if time_grain is not None:
        every = GRAIN_EVERY[time_grain]
        start_bucket = pl.select(start.dt.truncate(every)).item() if start is not None else None
        if start is not None and start_bucket != pl.select(start).item():
            warnings = ("pilot_start_mid_bucket",)
    step = _fixed_step(time_grain, dtype) if cluster is None else None
    if step is not None:
        cells = _bucket_means_by_runs(q, step, dtype, sorted(keep) if control_units is not None
                                      else None, with_nulls=with_nulls)
    else:
        if time_grain is not None:
            q = q.with_columns(pl.col("t").dt.truncate(GRAIN_EVERY[time_grain]))
        cl_aggs = [pl.col("cl").first(), pl.col("cl").n_unique().alias("ncl")] if cluster else []
        cells = collect(
            q.group_by("unit", "t").agg(pl.col("y").mean(), pl.len().alias("n"), *cl_aggs))
    if warnings:  # the bucket holding a mid-bucket pilot start is neither baseline nor pilot
        cells = cells.filter(pl.col("t") != start_bucket)
    cells = cells.with_columns(pl.col("unit").cast(pl.String))
    if cluster is None:
        cells = cells.with_columns(pl.col("unit").alias("cl"))
    else:
        if cells.height and int(cells["ncl"].max()) > 1:  # type: ignore[arg-type]
            raise ValueError("a unit belongs to several clusters; clusters must contain "
                             "whole units")
        cells = cells.with_columns(pl.col("cl").cast(pl.String))
    cells = cells.sort("unit", "t")
    if time_grain is not None and cells.height:
        lo, hi = cells["t"].min(), cells["t"].max()
        rng: Any = pl.date_range if dtype == pl.Date else pl.datetime_range
        grid: pl.Series = rng(lo, hi, GRAIN_EVERY[time_grain], eager=True).cast(cells.schema["t"])
        if warnings:
            grid = grid.filter(grid != start_bucket)
        periods = grid.to_frame("t")
    else:
        periods = cells.select("t").unique().sort("t")
    post = (pl.col("t") >= start) if start is not None else pl.lit(False)
    periods = periods.with_columns(post.alias("post"),
                                   pl.int_range(pl.len()).alias("ti"))
    units = cells.select("unit", "cl").unique("unit").sort("unit").with_columns(
        pl.int_range(pl.len()).alias("ui"))
    cl_names = tuple(sorted(units["cl"].unique().to_list()))
    units = units.with_columns(pl.col("cl").replace_strict(
        cl_names, list(range(len(cl_names))), return_dtype=pl.Int64).alias("ci"))
    idx = cells.join(units.select("unit", "ui"), on="unit").join(periods.select("t", "ti"), on="t")
    return Panel(
        units=tuple(units["unit"].to_list()),
        periods=tuple(_label(v) for v in periods["t"].to_list()),
        unit_idx=idx["ui"].to_numpy().astype(np.int64),
        time_idx=idx["ti"].to_numpy().astype(np.int64),
        y=idx["y"].to_numpy().astype(np.float64),
        treated=units["unit"].is_in(sorted(treated_set)).to_numpy().astype(bool),
        post=periods["post"].to_numpy().astype(bool),
        cluster_idx=units["ci"].to_numpy().astype(np.int64),
        clusters=cl_names,
        n_readings=int(cells["n"].sum()) if cells.height else 0,
        warnings=warnings,
    )


# Bucket lengths in microseconds; weeks start on Monday as in `dt.truncate("1w")` (the Unix
# epoch, 1970-01-01, was a Thursday: Mondays fall 3 days before multiples of 7 days).
_GRAIN_US: dict[str, int] = {"hour": 3_600_000_000, "day": 86_400_000_000,
                             "week": 7 * 86_400_000_000}
_GRAIN_OFFSET_US: dict[str, int] = {"hour": 0, "day": 0, "week": -3 * 86_400_000_000}
_PER_US: dict[str, tuple[int, int]] = {"ns": (1000, 1), "us": (1, 1), "ms": (1, 1000)}
# Below this mean run length a batch is reduced by one `group_by` instead of run by run.
_MIN_MEAN_RUN = 32
_BATCH_ROWS = 500_000


def _fixed_step(time_grain: TimeGrain | None, dtype: pl.DataType) -> tuple[int, int] | None:
    """(length, offset) of the buckets in the time column's units, when they are fixed.

    Buckets have a fixed length for datetimes in UTC or without a time zone; in a local
    time zone a day may last 23 or 25 hours, so those take the `dt.truncate` path.
    """
    if time_grain is None or not isinstance(dtype, pl.Datetime):
        return None
    if dtype.time_zone not in (None, "UTC"):
        return None
    mul, div = _PER_US[dtype.time_unit or "us"]
    length, offset = _GRAIN_US[time_grain], _GRAIN_OFFSET_US[time_grain]
    if length % div or offset % div:
        return None
    return length * mul // div, offset * mul // div


def _run_buckets(t: npt.NDArray[np.int64], y: npt.NDArray[np.float64], step: int,
                 offset: int) -> tuple[IntArray, npt.NDArray[np.float64], IntArray]:
    """Bucket numbers, sums and counts of one unit's rows.

    In time order (the stored layout), the bucket edges are found by binary search and the
    sums by one `reduceat`: no per-row key is computed. Otherwise each row's bucket is
    computed and grouped with `np.unique`.
    """
    first, last = (int(t[0]) - offset) // step, (int(t[-1]) - offset) // step
    if last >= first and last - first < t.size and bool(np.all(t[1:] >= t[:-1])):
        buckets = np.arange(first, last + 1, dtype=np.int64)
        edges = np.searchsorted(t, buckets * step + offset, side="left")
        edges[0] = 0
        counts = np.diff(edges, append=t.size)
        filled = counts > 0
        return (buckets[filled], np.add.reduceat(y, edges[filled]),
                counts[filled].astype(np.int64))
    buckets, inverse = np.unique((t - offset) // step, return_inverse=True)
    return (buckets.astype(np.int64),
            np.bincount(inverse, weights=y, minlength=buckets.size).astype(np.float64),
            np.bincount(inverse, minlength=buckets.size).astype(np.int64))


def _hash_names(units: Sequence[str] | None) -> dict[int, str] | None:
    """Each unit by its Polars hash, when the units are known and no two hashes collide."""
    if units is None:
        return None
    hashes = pl.Series(units, dtype=pl.String).hash().to_list()
    return dict(zip(hashes, units, strict=True)) if len(set(hashes)) == len(units) else None


def _hash_runs(batch: pl.DataFrame, names: dict[int, str]) -> tuple[list[int], list[str]]:
    """Runs of equal unit hashes in a batch: lengths and unit names, in order."""
    h = batch["unit"].to_numpy()
    starts = np.flatnonzero(h[1:] != h[:-1]) + 1
    lengths = np.diff(starts, prepend=0, append=h.size)
    return lengths.tolist(), [names[v] for v in h[np.r_[0, starts]].tolist()]


def _bucket_means_by_runs(q: pl.LazyFrame, step: tuple[int, int], dtype: pl.DataType,
                          units: Sequence[str] | None = None,
                          with_nulls: pl.LazyFrame | None = None) -> pl.DataFrame:
    """Unit × bucket means (columns unit, t, y, n) of `q` (unit, t, y; no nulls), streamed.

    When every unit of `q` is among `units` and their hashes differ, the stream carries each
    row's unit hash (computed by Polars' parallel workers) instead of its name, and runs are
    found by comparing integers: exact, since distinct units have distinct hashes.
    """
    length, offset = step
    codes: dict[Any, int] = {}
    parts: list[tuple[IntArray, IntArray, npt.NDArray[np.float64], IntArray]] = []
    names = _hash_names(units)
    if names is not None:
        unit_dtype: pl.DataType = pl.String()
        unit: pl.Expr = pl.col("unit").cast(pl.String).hash()
    else:
        unit_dtype, unit = q.collect_schema()["unit"], pl.col("unit")
    # Each Series method is a small query of its own (~0.3 ms): a batch costs at most one
    # `select` for its runs, and batches are large enough for that to be negligible.
    # Probe the first rows (the unit column only): not in the stored order from the start (a
    # user's own file, say), one streaming `group_by` over the whole query beats a
    # `group_by` per batch (see `_bucket_means_by_group_by`). A stream once started cannot be
    # stopped (Polars runs it to the end), hence a separate, sliced query.
    probe = collect(q.select("unit").head(_BATCH_ROWS))
    n_runs = int(probe.select(pl.col("unit").rle_id().max()).item() or 0) + 1
    if n_runs * _MIN_MEAN_RUN > probe.height:
        return _bucket_means_by_group_by(q if with_nulls is None else with_nulls, step, dtype)
    stream = q.select(unit.alias("unit"), pl.col("t").to_physical(), "y")
    for batch in stream.collect_batches(chunk_size=_BATCH_ROWS):
        if batch.height == 0:
            continue
        if names is not None:
            sizes, values = _hash_runs(batch, names)
        else:
            runs = batch.select(pl.col("unit").rle().struct.unnest())
            sizes, values = runs["len"].to_list(), runs["value"].to_list()
        if len(sizes) * _MIN_MEAN_RUN > batch.height:
            # short runs (rows not in the stored order): one vectorized group_by per batch
            sums = batch.group_by(
                "unit", ((pl.col("t") - offset) // length).alias("bucket")
            ).agg(pl.col("y").sum(), pl.len())
            found = sums["unit"].to_list()
            parts.append((np.array([codes.setdefault(names[v] if names else v, len(codes))
                                    for v in found], dtype=np.int64),
                          sums["bucket"].to_numpy(), sums["y"].to_numpy(),
                          sums["len"].to_numpy().astype(np.int64)))
            continue
        t = batch["t"].to_numpy()
        y = batch["y"].to_numpy()
        begin = 0
        for size, value in zip(sizes, values, strict=True):
            code = codes.setdefault(value, len(codes))
            end = begin + size
            buckets, total, count = _run_buckets(t[begin:end], y[begin:end], length, offset)
            parts.append((np.full(buckets.size, code, dtype=np.int64), buckets, total, count))
            begin = end
    if not parts:
        return pl.DataFrame({"unit": pl.Series([], dtype=unit_dtype),
                             "t": pl.Series([], dtype=dtype), "y": pl.Series([], dtype=pl.Float64),
                             "n": pl.Series([], dtype=pl.UInt32)})
    # a unit's bucket may be split across batches: add the partial sums and counts
    partial = pl.DataFrame({
        "code": np.concatenate([p[0] for p in parts]),
        "bucket": np.concatenate([p[1] for p in parts]),
        "sum": np.concatenate([p[2] for p in parts]),
        "n": np.concatenate([p[3] for p in parts]),
    })
    cells = partial.group_by("code", "bucket", maintain_order=True).agg(
        pl.col("sum").sum(), pl.col("n").sum())
    unit_names = pl.Series("unit", list(codes), dtype=unit_dtype)
    return cells.select(
        unit_names.gather(cells["code"]).alias("unit"),
        (pl.col("bucket") * length + offset).cast(pl.Int64).cast(dtype).alias("t"),
        (pl.col("sum") / pl.col("n")).alias("y"),
        pl.col("n").cast(pl.UInt32),
    )


def _bucket_means_by_group_by(q: pl.LazyFrame, step: tuple[int, int],
                              dtype: pl.DataType) -> pl.DataFrame:
    """Unit × bucket means (columns unit, t, y, n) of `q` (unit, t, y) by one streaming
    `group_by`, for rows not in the stored order.

    `q` may hold nulls: null outcomes are left out by the sum and the count of non-null
    values, and cells without a unit, a time or any outcome are dropped from the small
    result — the same cells as dropping those rows first, without filtering 50 million rows
    (about 20% of the query's time on a user's file in bench/scale.py part 3). Measured
    there against the alternatives: a `group_by` per streamed batch, as the stored-order
    pass does on short runs (2.4 s for 50 M readings against 0.7 s), and `dt.truncate`
    keys (slower than integer buckets on the physical times).
    """
    length, offset = step
    bucket = (pl.col("t").to_physical() - offset) // length
    cells = collect(q.group_by("unit", bucket.alias("bucket"))
                    .agg(pl.col("y").sum().alias("sum"), pl.col("y").count().alias("n")))
    cells = cells.filter(pl.col("n") > 0, pl.col("unit").is_not_null(),
                         pl.col("bucket").is_not_null())
    return cells.select(
        "unit",
        (pl.col("bucket") * length + offset).cast(pl.Int64).cast(dtype).alias("t"),
        (pl.col("sum") / pl.col("n")).alias("y"),
        pl.col("n").cast(pl.UInt32),
    )


def _label(v: object) -> str:
    """Render a period value as a short label."""
    if isinstance(v, dt.datetime) and v.time() == dt.time(0) and v.tzinfo is None:
        return v.date().isoformat()
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else str(v)


__all__ = ["GRAIN_EVERY", "Panel", "TimeGrain", "baseline_placebo", "build_panel", "make_panel",
           "post_flag"]
