"""Polars → small frozen summaries (moments per group, 2×2 cells per cluster).

Every reduction here is a lazy `group_by` collected with the streaming engine, so row-level
data of any size is reduced to a handful of numbers before statistics begin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]


def scan_file(path: str | Path) -> pl.LazyFrame:
    """Lazily scan a CSV or Parquet file (chosen by extension); raises FileNotFoundError."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {p}")
    suffix = p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pl.scan_parquet(p)
    if suffix in (".csv", ".txt"):
        return pl.scan_csv(p, try_parse_dates=True)
    raise ValueError(f"unsupported file type {suffix!r}: use .csv or .parquet")


def require_columns(lf: pl.LazyFrame, *columns: str | None) -> None:
    """Raise ValueError naming any of `columns` missing from `lf`."""
    names = set(lf.collect_schema().names())
    missing = [c for c in columns if c is not None and c not in names]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}; have {sorted(names)}")


def collect(lf: pl.LazyFrame) -> pl.DataFrame:
    """Collect a lazy query with the streaming engine."""
    out = lf.collect(engine="streaming")
    assert isinstance(out, pl.DataFrame)
    return out


@dataclass(frozen=True, slots=True)
class Moments:
    """Count, mean and sample variance (ddof=1) of one group."""

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, values: npt.ArrayLike) -> Moments:
        """Summarise an array of values (NaN-free)."""
        v = np.asarray(values, dtype=float)
        n = int(v.size)
        mean = float(v.mean()) if n else float("nan")
        var = float(v.var(ddof=1)) if n > 1 else float("nan")
        return cls(n, mean, var)


@dataclass(frozen=True, slots=True)
class Bivariate:
    """Moments of an outcome y and a covariate x in one group (for CUPED)."""

    n: int
    mean_y: float
    mean_x: float
    var_y: float
    var_x: float
    cov_xy: float

    @classmethod
    def of(cls, y: npt.ArrayLike, x: npt.ArrayLike) -> Bivariate:
        """Summarise paired arrays y and x."""
        ya, xa = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
        n = int(ya.size)
        if n < 2:
            nan = float("nan")
            return cls(n, float(ya.mean()) if n else nan, float(xa.mean()) if n else nan,
                       nan, nan, nan)
        c = np.cov(ya, xa, ddof=1)
        return cls(n, float(ya.mean()), float(xa.mean()), float(c[0, 0]), float(c[1, 1]),
                   float(c[0, 1]))


def _moments_row(row: dict[str, object]) -> Moments:
    n = int(row["n"])  # type: ignore[call-overload]
    mean = row["mean"]
    var = row["var"]
    return Moments(n, float(mean) if mean is not None else float("nan"),  # type: ignore[arg-type]
                   float(var) if var is not None else float("nan"))  # type: ignore[arg-type]


def split_moments(lf: pl.LazyFrame, outcome: str, flag: pl.Expr) -> tuple[Moments, Moments]:
    """Return (moments where `flag` is false, moments where it is true) of `outcome`."""
    df = collect(
        lf.select(flag.cast(pl.Boolean).alias("_f"), pl.col(outcome).cast(pl.Float64).alias("_y"))
        .drop_nulls()
        .group_by("_f")
        .agg(pl.len().alias("n"), pl.col("_y").mean().alias("mean"),
             pl.col("_y").var().alias("var"))
    )
    rows = {bool(r["_f"]): _moments_row(r) for r in df.iter_rows(named=True)}
    empty = Moments(0, float("nan"), float("nan"))
    return rows.get(False, empty), rows.get(True, empty)


def unit_pre_post(
    lf: pl.LazyFrame, unit: str, outcome: str, post: pl.Expr, group: pl.Expr | None = None
) -> pl.DataFrame:
    """Per unit, mean outcome before (`pre`) and during (`post`) the pilot, and group `g`."""
    base = lf.select(pl.col(unit).cast(pl.String).alias("unit"), post.cast(pl.Boolean).alias("_f"),
                     pl.col(outcome).cast(pl.Float64).alias("_y"),
                     (group if group is not None else pl.lit(True)).cast(pl.Boolean).alias("g"))
    df = collect(base.drop_nulls().group_by("unit").agg(
        pl.col("_y").filter(~pl.col("_f")).mean().alias("pre"),
        pl.col("_y").filter(pl.col("_f")).mean().alias("post"),
        pl.col("g").first(), pl.col("g").n_unique().alias("_ng"),
    )).sort("unit")
    _check_one_group(df)
    return df.drop("_ng")


def unit_group_means(
    lf: pl.LazyFrame, unit: str, outcome: str, group: pl.Expr, covariate: str | None = None
) -> pl.DataFrame:
    """Per unit, mean outcome `y` (and mean covariate `x`) and group flag `g`."""
    xs = [pl.col(covariate).cast(pl.Float64).alias("x")] if covariate else []
    base = lf.select(pl.col(unit).cast(pl.String).alias("unit"), group.cast(pl.Boolean).alias("g"),
                     pl.col(outcome).cast(pl.Float64).alias("y"), *xs)
    df = collect(base.drop_nulls().group_by("unit").agg(
        pl.col("y").mean(), *([pl.col("x").mean()] if covariate else []),
        pl.col("g").first(), pl.col("g").n_unique().alias("_ng"),
    )).sort("unit")
    _check_one_group(df)
    return df.drop("_ng")


def _check_one_group(df: pl.DataFrame) -> None:
    """Raise ValueError when a unit appears in both groups."""
    if df.height and int(df["_ng"].max()) > 1:  # type: ignore[arg-type]
        raise ValueError("a unit appears in both the treated and the control group")


def bivariate_by_group(
    lf: pl.LazyFrame, outcome: str, covariate: str, flag: pl.Expr
) -> tuple[Bivariate, Bivariate]:
    """Return (control, treated) moments of outcome and covariate, split by `flag`."""
    df = collect(
        lf.select(flag.cast(pl.Boolean).alias("_f"), pl.col(outcome).cast(pl.Float64).alias("y"),
                  pl.col(covariate).cast(pl.Float64).alias("x"))
        .drop_nulls()
        .group_by("_f")
        .agg(pl.len().alias("n"), pl.col("y").mean().alias("my"), pl.col("x").mean().alias("mx"),
             pl.col("y").var().alias("vy"), pl.col("x").var().alias("vx"),
             pl.cov("x", "y").alias("cxy"))
    )
    nan = float("nan")

    def _f(v: object) -> float:
        return float(v) if v is not None else nan  # type: ignore[arg-type]

    out = {bool(r["_f"]): Bivariate(int(r["n"]), _f(r["my"]), _f(r["mx"]), _f(r["vy"]),
                                    _f(r["vx"]), _f(r["cxy"])) for r in df.iter_rows(named=True)}
    empty = Bivariate(0, nan, nan, nan, nan, nan)
    return out.get(False, empty), out.get(True, empty)


@dataclass(frozen=True, slots=True, eq=False)
class DidCells:
    """Row-level 2×2 data reduced per cluster and cell: arrays indexed [cluster, treated, post].

    `mean` is the cell mean within the cluster and `ss` the sum of squared deviations from it;
    without a cluster column there is a single pseudo-cluster.
    """

    clusters: tuple[str, ...]
    n: npt.NDArray[np.int64]
    mean: FloatArray
    ss: FloatArray
    clustered: bool


def did_cells(
    lf: pl.LazyFrame, outcome: str, treated: str, post: str, cluster: str | None = None
) -> DidCells:
    """Reduce row-level data with treated and post flags to per-cluster cell moments."""
    require_columns(lf, outcome, treated, post, cluster)
    cl = pl.col(cluster).cast(pl.String) if cluster else pl.lit("all")
    df = collect(
        lf.select(cl.alias("_c"), pl.col(treated).cast(pl.Boolean).alias("_t"),
                  pl.col(post).cast(pl.Boolean).alias("_p"),
                  pl.col(outcome).cast(pl.Float64).alias("_y"))
        .drop_nulls()
        .group_by("_c", "_t", "_p")
        .agg(pl.len().alias("n"), pl.col("_y").mean().alias("m"),
             (pl.col("_y").var(ddof=0).fill_null(0.0) * pl.len()).alias("ss"))
    )
    clusters = tuple(sorted(df["_c"].unique().to_list()))
    shape = (len(clusters), 2, 2)
    n = np.zeros(shape, dtype=np.int64)
    mean = np.zeros(shape)
    ss = np.zeros(shape)
    if df.height:
        g = np.searchsorted(np.array(clusters, dtype=object), df["_c"].to_numpy())
        t = df["_t"].to_numpy().astype(int)
        p = df["_p"].to_numpy().astype(int)
        n[g, t, p] = df["n"].to_numpy()
        mean[g, t, p] = df["m"].to_numpy()
        ss[g, t, p] = df["ss"].to_numpy()
    return DidCells(clusters, n, mean, ss, clustered=cluster is not None)


def did_cells_from_arrays(
    y: npt.ArrayLike, treated: npt.ArrayLike, post: npt.ArrayLike,
    cluster: Sequence[object] | npt.ArrayLike | None = None,
) -> DidCells:
    """Build `DidCells` from numpy arrays (for tests and callers already holding arrays)."""
    data: dict[str, object] = {"y": np.asarray(y, float), "t": np.asarray(treated, bool),
                               "p": np.asarray(post, bool)}
    if cluster is not None:
        data["c"] = [str(c) for c in np.asarray(cluster)]
    return did_cells(pl.LazyFrame(data), "y", "t", "p", "c" if cluster is not None else None)


__all__ = [
    "Bivariate", "DidCells", "Moments", "bivariate_by_group", "collect", "did_cells",
    "did_cells_from_arrays", "require_columns", "scan_file", "split_moments", "unit_group_means",
    "unit_pre_post",
]
