"""Unit × time-bucket panels: raw readings aggregated lazily to bucket means.

A `Panel` is the small summary a panel difference-in-differences works on: one mean per
unit and time bucket, which units are treated, which buckets fall in the pilot period, and
the cluster of each unit. `build_panel` makes one from raw readings with a single streaming
`group_by`; `make_panel` makes one from arrays (simulations, tests).
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
    q = lf.select(pl.col(unit).alias("unit"), pl.col(time).alias("t"),
                  pl.col(outcome).cast(pl.Float64).alias("y"),
                  *([pl.col(cluster).alias("cl")] if cluster else [])).drop_nulls()
    if control_units is not None:
        keep = treated_set | {str(c) for c in control_units}
        q = q.filter(pl.col("unit").cast(pl.String).is_in(sorted(keep)))
    warnings: tuple[str, ...] = ()
    if time_grain is not None:
        every = GRAIN_EVERY[time_grain]
        q = q.with_columns(pl.col("t").dt.truncate(every))
        start_bucket = pl.select(start.dt.truncate(every)).item() if start is not None else None
        if start is not None and start_bucket != pl.select(start).item():
            q = q.filter(pl.col("t") != start_bucket)
            warnings = ("pilot_start_mid_bucket",)
    cl_aggs = [pl.col("cl").first(), pl.col("cl").n_unique().alias("ncl")] if cluster else []
    cells = collect(
        q.group_by("unit", "t").agg(pl.col("y").mean(), pl.len().alias("n"), *cl_aggs)
    ).with_columns(pl.col("unit").cast(pl.String))
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
        grid: pl.Series = rng(lo, hi, GRAIN_EVERY[time_grain], eager=True)
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


def _label(v: object) -> str:
    """Render a period value as a short label."""
    if isinstance(v, dt.datetime) and v.time() == dt.time(0) and v.tzinfo is None:
        return v.date().isoformat()
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else str(v)


__all__ = ["GRAIN_EVERY", "Panel", "TimeGrain", "baseline_placebo", "build_panel", "make_panel",
           "post_flag"]
