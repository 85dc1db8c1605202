"""Polars reductions of feedback rows to counts per answer level, overall and per group.

Every statistic of a Likert item, the NPS or the SUS is a function of how many respondents
(and how much weight) gave each level of a bounded integer scale, so that is the summary:
one `ScaleCounts` per group, from a single lazy `group_by` over (group, level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from experiments.feedback._common import Breakdown, Frame, Group, lazy, require_columns
from experiments.feedback.exceptions import InvalidValueError

SUS_ITEMS: tuple[str, ...] = tuple(f"q{i}" for i in range(1, 11))


@dataclass(frozen=True, slots=True)
class ScaleCounts:
    """Respondents (and, when weighted, total weight) per level of an integer scale."""

    low: int
    high: int
    counts: tuple[int, ...]
    weight_totals: tuple[float, ...] | None = None
    weight_sq_total: float | None = None
    n_missing: int = 0

    def __post_init__(self) -> None:
        if self.high <= self.low:
            raise ValueError(f"scale high ({self.high}) must exceed low ({self.low})")
        size = self.high - self.low + 1
        if len(self.counts) != size or any(c < 0 for c in self.counts):
            raise ValueError(f"counts must be {size} non-negative integers")
        if self.weight_totals is not None and (
            len(self.weight_totals) != size or self.weight_sq_total is None
        ):
            raise ValueError("weight_totals needs one total per level and weight_sq_total")

    @property
    def levels(self) -> tuple[int, ...]:
        """The scale's levels, low to high."""
        return tuple(range(self.low, self.high + 1))

    @property
    def n(self) -> int:
        """Number of respondents who answered."""
        return sum(self.counts)

    @property
    def weighted(self) -> bool:
        """Whether the counts carry survey weights."""
        return self.weight_totals is not None

    @property
    def masses(self) -> np.ndarray:
        """Weight per level (the counts themselves when unweighted)."""
        source = self.weight_totals if self.weight_totals is not None else self.counts
        return np.asarray(source, dtype=float)

    @property
    def n_effective(self) -> float:
        """Kish effective sample size (Σw)²/Σw²; equals n when unweighted."""
        if self.weight_totals is None or self.weight_sq_total is None:
            return float(self.n)
        total = float(sum(self.weight_totals))
        return total * total / self.weight_sq_total if self.weight_sq_total > 0 else 0.0


@dataclass(frozen=True, slots=True)
class SusCounts:
    """SUS raw points (0–40, score = 2.5 × points) per respondent who answered all ten items."""

    points: ScaleCounts
    n_excluded: int = 0


def _group_expr(by: str | None) -> pl.Expr:
    return (pl.col(by).cast(pl.String) if by else pl.lit(None, dtype=pl.String)).alias("_group")


def _weight_expr(weight: str | None) -> pl.Expr:
    return (pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)).alias("_w")


def _aggregate(lf: pl.LazyFrame, keys: list[str]) -> pl.DataFrame:
    """Count rows and sum weights per key: the one pass over the data."""
    return (
        lf.group_by(keys)
        .agg(
            _n=pl.len(),
            _wsum=pl.col("_w").sum(),
            _w2=(pl.col("_w") * pl.col("_w")).sum(),
            _wbad=(pl.col("_w").is_null() | (pl.col("_w") < 0) | pl.col("_w").is_nan()).sum(),
        )
        .collect()
    )


def _check_numeric(schema: pl.Schema, columns: list[str]) -> None:
    bad = [c for c in columns if not schema[c].is_numeric() and schema[c] != pl.Null]
    if bad:
        raise InvalidValueError(f"column(s) {', '.join(bad)} must be numeric")


def _labels(groups: pl.Series) -> list[str | None]:
    values: list[str | None] = groups.unique().to_list()
    return sorted(values, key=lambda v: (v is None, v or ""))


def _build(
    agg: pl.DataFrame, *, low: int, high: int, by: str | None, weighted: bool,
    labels: list[str | None] | None = None,
) -> Breakdown[ScaleCounts]:
    """Turn (group, level, n, weight sums) rows into ScaleCounts, every level present."""
    answered = agg.filter(pl.col("_level").is_not_null())
    if int(answered["_wbad"].sum() or 0) > 0:
        raise InvalidValueError("weights of answered rows must be present and non-negative")
    if labels is None:
        labels = _labels(agg["_group"]) if by else [None]
    index = {label: i for i, label in enumerate(labels)}
    size = high - low + 1
    gi = np.asarray([index[g] for g in answered["_group"].to_list()], dtype=np.intp)
    li = answered["_level"].to_numpy().astype(np.intp) - low
    counts = np.zeros((len(labels), size), dtype=np.int64)
    wsum = np.zeros((len(labels), size))
    np.add.at(counts, (gi, li), answered["_n"].to_numpy())
    np.add.at(wsum, (gi, li), answered["_wsum"].to_numpy())
    w2 = np.zeros(len(labels))
    np.add.at(w2, gi, answered["_w2"].to_numpy())
    missing = np.zeros(len(labels), dtype=np.int64)
    blank = agg.filter(pl.col("_level").is_null())
    np.add.at(
        missing, np.asarray([index[g] for g in blank["_group"].to_list()], dtype=np.intp),
        blank["_n"].to_numpy(),
    )

    def make(c: np.ndarray, w: np.ndarray, sq: float, m: int) -> ScaleCounts:
        return ScaleCounts(
            low=low, high=high, counts=tuple(int(x) for x in c),
            weight_totals=tuple(float(x) for x in w) if weighted else None,
            weight_sq_total=float(sq) if weighted else None, n_missing=int(m),
        )

    overall = make(counts.sum(0), wsum.sum(0), float(w2.sum()), int(missing.sum()))
    if not by:
        return Breakdown(by=None, overall=overall)
    groups = tuple(
        Group(label, make(counts[i], wsum[i], float(w2[i]), int(missing[i])))
        for i, label in enumerate(labels)
    )
    return Breakdown(by=by, overall=overall, groups=groups)


def _outside(x: pl.Expr, low: int, high: int) -> pl.Expr:
    return x.is_nan() | (x < low) | (x > high) | (x != x.round())


def _check_levels(agg: pl.DataFrame, column: str, low: int, high: int) -> pl.DataFrame:
    bad = agg.filter(pl.col("_value").is_not_null() & _outside(pl.col("_value"), low, high))
    if bad.height:
        shown = ", ".join(str(v) for v in sorted(bad["_value"].unique().to_list())[:5])
        raise InvalidValueError(
            f"column {column!r} has {int(bad['_n'].sum())} value(s) outside the whole numbers "
            f"{low}..{high} (e.g. {shown})"
        )
    return agg.with_columns(_level=pl.col("_value").cast(pl.Int64))


def scale_counts(
    data: Frame, column: str, *, low: int, high: int,
    by: str | None = None, weight: str | None = None,
) -> Breakdown[ScaleCounts]:
    """Count answers to one integer-scale question, overall and per group of `by`."""
    lf = lazy(data)
    needed = [column] + [c for c in (by, weight) if c]
    schema = require_columns(lf, needed)
    _check_numeric(schema, [column] + ([weight] if weight else []))
    agg = _aggregate(
        lf.select(_group_expr(by), pl.col(column).cast(pl.Float64).alias("_value"),
                  _weight_expr(weight)),
        ["_group", "_value"],
    )
    agg = _check_levels(agg, column, low, high)
    return _build(agg, low=low, high=high, by=by, weighted=weight is not None)


def likert_counts(
    data: Frame, column: str, *, low: int = 1, high: int = 5,
    by: str | None = None, weight: str | None = None,
) -> Breakdown[ScaleCounts]:
    """Count answers to a Likert item (1–5 unless another scale is given)."""
    if high - low < 2:
        raise ValueError("a Likert scale needs at least three levels")
    return scale_counts(data, column, low=low, high=high, by=by, weight=weight)


def nps_counts(
    data: Frame, column: str, *, by: str | None = None, weight: str | None = None
) -> Breakdown[ScaleCounts]:
    """Count answers to the 0–10 likelihood-to-recommend question."""
    return scale_counts(data, column, low=0, high=10, by=by, weight=weight)


def _sus_points_expr(items: tuple[str, ...]) -> pl.Expr:
    # Brooke (1996): odd (positive) items score x − 1, even (negative) items 5 − x.
    parts = [
        (pl.col(c) - 1) if i % 2 == 0 else (5 - pl.col(c)) for i, c in enumerate(items)
    ]
    complete = pl.all_horizontal([pl.col(c).is_not_null() for c in items])
    return pl.when(complete).then(pl.sum_horizontal(parts)).otherwise(None)


def sus_score_expr(items: tuple[str, ...] = SUS_ITEMS) -> pl.Expr:
    """Per-respondent SUS score 0–100 (Brooke 1996); null unless all ten items are answered."""
    if len(items) != 10:
        raise ValueError("the SUS has exactly ten items")
    return (_sus_points_expr(items) * 2.5).alias("sus_score")


def sus_counts(
    data: Frame, *, items: tuple[str, ...] = SUS_ITEMS,
    by: str | None = None, weight: str | None = None,
) -> Breakdown[SusCounts]:
    """Score the SUS per respondent and count scores; partial answers are counted as excluded."""
    if len(items) != 10:
        raise ValueError("the SUS has exactly ten items")
    lf = lazy(data)
    schema = require_columns(lf, list(items) + [c for c in (by, weight) if c])
    _check_numeric(schema, list(items) + ([weight] if weight else []))
    answered = pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in items])
    invalid = pl.any_horizontal(
        [_outside(pl.col(c).cast(pl.Float64), 1, 5).fill_null(False) for c in items]
    )
    agg = _aggregate(
        lf.select(
            _group_expr(by), _sus_points_expr(items).cast(pl.Int64).alias("_level"),
            answered.alias("_answered"), invalid.alias("_invalid"), _weight_expr(weight),
        ).filter(pl.col("_answered") > 0),
        ["_group", "_level", "_answered", "_invalid"],
    )
    bad = agg.filter(pl.col("_invalid"))
    if bad.height:
        raise InvalidValueError(
            f"{int(bad['_n'].sum())} respondent(s) have a SUS item outside the whole numbers 1..5"
        )
    complete = agg.filter(pl.col("_answered") == len(items))
    partial = agg.filter(pl.col("_answered") < len(items))
    # Groups whose members all answered partially still appear, with nobody scored.
    points = _build(complete, low=0, high=40, by=by, weighted=weight is not None,
                    labels=_labels(agg["_group"]) if by else None)
    excluded: dict[str | None, int] = dict(
        partial.group_by("_group").agg(pl.col("_n").sum()).iter_rows()
    )
    return Breakdown(
        by=by,
        overall=SusCounts(points.overall, int(partial["_n"].sum() or 0)),
        groups=tuple(
            Group(g.label, SusCounts(g.value, int(excluded.get(g.label, 0))))
            for g in points.groups
        ),
    )
