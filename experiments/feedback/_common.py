"""Shared pieces: the breakdown container, JSON conversion and the interval formulas."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Generic, TypeVar

import polars as pl
from scipy import stats

from experiments.feedback.exceptions import MissingColumnError
from experiments.messages import MESSAGES

T = TypeVar("T")
U = TypeVar("U")

Frame = pl.DataFrame | pl.LazyFrame


def jsonable(obj: Any) -> Any:
    """Convert results to JSON-ready values (dataclasses to dicts, NaN to None)."""
    if hasattr(obj, "to_dict") and not isinstance(obj, type):
        return obj.to_dict()
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in fields(obj) if f.repr}
    if isinstance(obj, tuple | list):
        return [jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return None if math.isnan(obj) else obj
    return obj


def fields_dict(obj: Any) -> dict[str, Any]:
    """The JSON form of a result: its fields, plus the catalogue texts of its codes."""
    out = {f.name: jsonable(getattr(obj, f.name)) for f in fields(obj) if f.repr}
    if "reason" in out:
        out["reason_message"] = MESSAGES[out["reason"]] if out["reason"] else None
    if "warnings" in out:
        out["warning_messages"] = [MESSAGES[c] for c in out["warnings"]]
    return out


@dataclass(frozen=True)
class Group(Generic[T]):
    """One group of a breakdown: its label (None for a missing value) and its summary."""

    label: str | None
    value: T


@dataclass(frozen=True)
class Breakdown(Generic[T]):
    """A summary for all respondents and, when `by` is set, one per group of `by`."""

    by: str | None
    overall: T
    groups: tuple[Group[T], ...] = ()

    def map(self, f: Callable[[T], U]) -> Breakdown[U]:
        """Apply `f` to the overall summary and to every group's."""
        return Breakdown(
            by=self.by,
            overall=f(self.overall),
            groups=tuple(Group(g.label, f(g.value)) for g in self.groups),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form: `by`, `overall` and a list of groups, each with its `group` label."""
        return {
            "by": self.by,
            "overall": jsonable(self.overall),
            "groups": [{"group": g.label, **jsonable(g.value)} for g in self.groups],
        }


def lazy(data: Frame) -> pl.LazyFrame:
    """The frame as a LazyFrame."""
    return data.lazy() if isinstance(data, pl.DataFrame) else data


def require_columns(lf: pl.LazyFrame, columns: list[str]) -> pl.Schema:
    """Raise MissingColumnError naming every absent column; return the schema."""
    schema = lf.collect_schema()
    missing = [c for c in columns if c not in schema]
    if missing:
        have = ", ".join(schema.names()) or "none"
        raise MissingColumnError(f"missing column(s): {', '.join(missing)} (columns: {have})")
    return schema


def t_interval(mean: float, sd: float, n_eff: float, confidence: float) -> tuple[float, float]:
    """Student-t interval for a mean, with n_eff − 1 degrees of freedom."""
    half = float(stats.t.ppf(0.5 + confidence / 2, n_eff - 1)) * sd / math.sqrt(n_eff)
    return mean - half, mean + half


def wilson_interval(p: float, n_eff: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion observed on n_eff respondents."""
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    denom = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff))
    return max(0.0, centre - half), min(1.0, centre + half)


def z_value(confidence: float) -> float:
    """Two-sided normal quantile for a confidence level."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def check_confidence(confidence: float) -> None:
    """Raise for a confidence level outside (0, 1) (a programmer error)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
