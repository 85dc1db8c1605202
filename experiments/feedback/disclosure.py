"""Disclosure control for the feedback a startup may see.

Rules (threshold 7, rounding base 5):

1. Primary suppression: every count from 0 to 7 is withheld (`None` with reason
   `suppressed_small_count`). Zero is withheld too: showing zeros would tell a reader that
   every withheld cell holds 1–7 people (someone in that small group gave that answer), and
   a zero in a breakdown is itself a statement about a group ("no tester over 75 rated it 5")
   that, next to a small total, can reveal how each member answered.
2. Secondary suppression: counts are laid out as a table (groups × answer categories, with
   row totals, column totals and the grand total). A withheld cell must not be computable
   from what is shown. Treating every shown number as exact (the attacker's best case), a
   withheld cell is computable exactly when it is fixed by the table's sums, i.e. it lies on
   no cycle of withheld cells (a line with a single withheld cell is the simplest case). For
   each such cell the cheapest rectangle of cells through it is withheld as well, as in the
   hypercube method (Repsilber 1994; Giessing & Repsilber 2002, used by τ-ARGUS), until no
   withheld cell is determined.
3. Every shown count is rounded to the nearest multiple of 5. Shown counts are ≥ 8 before
   rounding, so ≥ 10 after: no count of 7 or fewer can be shown.
4. Shares are recomputed from the rounded counts, or withheld when a count they need is.
5. Statistics (means, NPS, SUS, intervals, grades) of a group of 7 or fewer respondents are
   withheld; others are computed on the exact data and shown at reduced precision (Likert
   and SUS means to 0.1, NPS to whole points).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import numpy as np
from scipy.linalg import null_space

from experiments.feedback._common import Breakdown, Group, fields_dict, wilson_interval
from experiments.feedback.scales import LikertResult, NpsResult, SusResult

DISCLOSURE_THRESHOLD: Final = 7
ROUNDING_BASE: Final = 5
_SMALL: Final = "suppressed_small_count"
_SECONDARY: Final = "suppressed_secondary"
_DERIVED: Final = "suppressed_derived"

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class DisclosedCount:
    """A count as shown to a startup: a multiple of 5 above 7, or None with a reason."""

    value: int | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DisclosedValue:
    """A statistic as shown to a startup, or None with a reason."""

    value: float | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DisclosedLabel:
    """A label (such as a SUS grade) as shown to a startup, or None with a reason."""

    value: str | None
    reason: str | None = None


@dataclass(frozen=True)
class CountTable:
    """Respondent counts: one row per group, one column per answer category."""

    row_labels: tuple[str | None, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not self.row_labels or not self.col_labels:
            raise ValueError("a count table needs at least one row and one column")
        if len(self.cells) != len(self.row_labels) or any(
            len(r) != len(self.col_labels) or min(r) < 0 for r in self.cells
        ):
            raise ValueError("cells must be rows × columns of non-negative integers")


@dataclass(frozen=True)
class DisclosedTable:
    """A count table after suppression and rounding, with its totals."""

    row_labels: tuple[str | None, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[DisclosedCount, ...], ...]
    row_totals: tuple[DisclosedCount, ...]
    col_totals: tuple[DisclosedCount, ...]
    total: DisclosedCount

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


def round_count(value: int) -> int:
    """Round a count above the threshold to the nearest multiple of 5 (never to 7 or less)."""
    if value <= DISCLOSURE_THRESHOLD:
        raise ValueError("counts of 7 or fewer are suppressed, not rounded")
    rounded = (value + ROUNDING_BASE // 2) // ROUNDING_BASE * ROUNDING_BASE
    return max(rounded, 10)


def _determined(suppressed: np.ndarray) -> np.ndarray:
    """Mask of withheld entries whose value the table's row and column sums fix exactly."""
    idx = np.argwhere(suppressed)
    out = np.zeros_like(suppressed)
    if len(idx) == 0:
        return out
    rows, cols = suppressed.shape
    # Each entry of the augmented table sits in one row sum and one column sum; its value
    # is fixed iff it has no component in the null space of this incidence matrix.
    incidence = np.zeros((rows + cols, len(idx)))
    incidence[idx[:, 0], np.arange(len(idx))] = 1.0
    incidence[rows + idx[:, 1], np.arange(len(idx))] = 1.0
    basis = null_space(incidence)
    free = np.abs(basis).max(axis=1) > 1e-9 if basis.shape[1] else np.zeros(len(idx), bool)
    out[idx[~free, 0], idx[~free, 1]] = True
    return out


def _protect(augmented: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary suppression masks for a table with totals in its last row/col."""
    primary = augmented <= DISCLOSURE_THRESHOLD
    suppressed = primary.copy()
    while True:
        determined = np.argwhere(_determined(suppressed))
        if len(determined) == 0:
            return primary, suppressed & ~primary
        r, c = determined[0]
        # Cheapest rectangle (r, c), (r, c2), (r2, c), (r2, c2): cost is what it newly hides.
        cost_of = np.where(suppressed, 0, augmented).astype(float)
        cost = cost_of[r, :][None, :] + cost_of[:, c][:, None] + cost_of
        cost[r, :] = np.inf
        cost[:, c] = np.inf
        r2, c2 = np.unravel_index(int(np.argmin(cost)), cost.shape)
        suppressed[r, c2] = suppressed[r2, c] = suppressed[r2, c2] = True


def disclose_table(table: CountTable) -> DisclosedTable:
    """Suppress small counts (and what would reveal them), round the rest to 5."""
    cells = np.asarray(table.cells, dtype=np.int64)
    augmented = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1), dtype=np.int64)
    augmented[:-1, :-1] = cells
    augmented[:-1, -1] = cells.sum(axis=1)
    augmented[-1, :-1] = cells.sum(axis=0)
    augmented[-1, -1] = cells.sum()
    primary, secondary = _protect(augmented)

    def shown(r: int, c: int) -> DisclosedCount:
        if primary[r, c]:
            return DisclosedCount(None, _SMALL)
        if secondary[r, c]:
            return DisclosedCount(None, _SECONDARY)
        return DisclosedCount(round_count(int(augmented[r, c])))

    n_rows, n_cols = cells.shape
    return DisclosedTable(
        row_labels=table.row_labels,
        col_labels=table.col_labels,
        cells=tuple(tuple(shown(r, c) for c in range(n_cols)) for r in range(n_rows)),
        row_totals=tuple(shown(r, n_cols) for r in range(n_rows)),
        col_totals=tuple(shown(n_rows, c) for c in range(n_cols)),
        total=shown(n_rows, n_cols),
    )


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[DisclosedCount, ...]
    total: DisclosedCount


def _disclose_rows(
    b: Breakdown[R], cells_of: Callable[[R], tuple[int, ...]], col_labels: tuple[str, ...]
) -> Breakdown[tuple[R, _Row]]:
    """Disclose the breakdown's count table; pair each result with its shown counts."""
    results = [g.value for g in b.groups] or [b.overall]
    rows = tuple(cells_of(r) for r in results)
    if b.groups and tuple(map(sum, zip(*rows, strict=True))) != cells_of(b.overall):
        raise ValueError("the overall counts must equal the sum of the groups' counts")
    table = disclose_table(
        CountTable(tuple(g.label for g in b.groups) or (None,), col_labels, rows)
    )
    pairs = [(r, _Row(table.cells[i], table.row_totals[i])) for i, r in enumerate(results)]
    if not b.groups:
        return Breakdown(by=b.by, overall=pairs[0])
    return Breakdown(
        by=b.by,
        overall=(b.overall, _Row(table.col_totals, table.total)),
        groups=tuple(Group(g.label, pair) for g, pair in zip(b.groups, pairs, strict=True)),
    )


def _stat(value: float | None, n: int, digits: int, missing: str | None) -> DisclosedValue:
    if n <= DISCLOSURE_THRESHOLD:
        return DisclosedValue(None, _SMALL)
    if value is None:
        return DisclosedValue(None, missing)
    return DisclosedValue(round(value, digits))


def _label(value: str | None, n: int, missing: str | None) -> DisclosedLabel:
    if n <= DISCLOSURE_THRESHOLD:
        return DisclosedLabel(None, _SMALL)
    return DisclosedLabel(value, None if value is not None else missing)


def _share(count: DisclosedCount | None, total: DisclosedCount, n: int) -> DisclosedValue:
    if n <= DISCLOSURE_THRESHOLD:
        return DisclosedValue(None, _SMALL)
    if count is None or count.value is None or total.value is None:
        return DisclosedValue(None, _DERIVED)
    return DisclosedValue(round(count.value / total.value, 4))


def _why(reason: str | None, warnings: tuple[str, ...]) -> str | None:
    return reason or (warnings[0] if warnings else None)


@dataclass(frozen=True, slots=True)
class DisclosedLikert:
    """A Likert summary as a startup may see it."""

    n: DisclosedCount
    levels: tuple[str, ...]
    counts: tuple[DisclosedCount, ...]
    shares: tuple[DisclosedValue, ...]
    mean: DisclosedValue
    ci_low: DisclosedValue
    ci_high: DisclosedValue
    top2_share: DisclosedValue
    top2_ci_low: DisclosedValue
    top2_ci_high: DisclosedValue
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


def _likert_row(pair: tuple[LikertResult, _Row]) -> DisclosedLikert:
    res, row = pair
    n, why = res.n, _why(res.reason, res.warnings)
    a, b = row.cells[-2].value, row.cells[-1].value
    top2 = _share(DisclosedCount(a + b) if a is not None and b is not None else None,
                  row.total, n)
    lo = hi = top2
    if top2.value is not None and row.total.value:
        # Wilson interval on the rounded counts, so it reveals nothing the counts do not.
        bounds = wilson_interval(top2.value, row.total.value, res.confidence)
        lo, hi = DisclosedValue(round(bounds[0], 4)), DisclosedValue(round(bounds[1], 4))
    return DisclosedLikert(
        n=row.total,
        levels=tuple(str(level.level) for level in res.distribution),
        counts=row.cells,
        shares=tuple(_share(c, row.total, n) for c in row.cells),
        mean=_stat(res.mean, n, 1, why),
        ci_low=_stat(res.ci_low, n, 1, why),
        ci_high=_stat(res.ci_high, n, 1, why),
        top2_share=top2, top2_ci_low=lo, top2_ci_high=hi, confidence=res.confidence,
    )


def disclose_likert(b: Breakdown[LikertResult]) -> Breakdown[DisclosedLikert]:
    """The Likert breakdown a startup may see (see the module rules)."""
    cols = tuple(str(level) for level in range(b.overall.low, b.overall.high + 1))
    return _disclose_rows(b, lambda r: tuple(x.count for x in r.distribution), cols).map(
        _likert_row
    )


@dataclass(frozen=True, slots=True)
class DisclosedNps:
    """An NPS summary as a startup may see it."""

    n: DisclosedCount
    detractors: DisclosedCount
    passives: DisclosedCount
    promoters: DisclosedCount
    share_detractors: DisclosedValue
    share_passives: DisclosedValue
    share_promoters: DisclosedValue
    score: DisclosedValue
    ci_low: DisclosedValue
    ci_high: DisclosedValue
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


def _nps_row(pair: tuple[NpsResult, _Row]) -> DisclosedNps:
    res, row = pair
    n, why = res.n, _why(res.reason, res.warnings)
    d, p, q = row.cells
    return DisclosedNps(
        n=row.total, detractors=d, passives=p, promoters=q,
        share_detractors=_share(d, row.total, n), share_passives=_share(p, row.total, n),
        share_promoters=_share(q, row.total, n),
        score=_stat(res.score, n, 0, why), ci_low=_stat(res.ci_low, n, 0, why),
        ci_high=_stat(res.ci_high, n, 0, why), confidence=res.confidence,
    )


def disclose_nps(b: Breakdown[NpsResult]) -> Breakdown[DisclosedNps]:
    """The NPS breakdown a startup may see (see the module rules)."""
    cols = ("detractors", "passives", "promoters")
    return _disclose_rows(b, lambda r: (r.detractors, r.passives, r.promoters), cols).map(
        _nps_row
    )


@dataclass(frozen=True, slots=True)
class DisclosedSus:
    """A SUS summary as a startup may see it."""

    n_respondents: DisclosedCount
    n: DisclosedCount
    n_excluded: DisclosedCount
    mean: DisclosedValue
    ci_low: DisclosedValue
    ci_high: DisclosedValue
    grade: DisclosedLabel
    grade_ci_low: DisclosedLabel
    grade_ci_high: DisclosedLabel
    acceptability: DisclosedLabel
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


def _sus_row(pair: tuple[SusResult, _Row]) -> DisclosedSus:
    res, row = pair
    n = res.n
    # An excluded-respondents warning is not why a statistic is missing.
    why = _why(res.reason, tuple(w for w in res.warnings if w != "sus_incomplete_excluded"))
    return DisclosedSus(
        n_respondents=row.total, n=row.cells[0], n_excluded=row.cells[1],
        mean=_stat(res.mean, n, 1, why), ci_low=_stat(res.ci_low, n, 1, why),
        ci_high=_stat(res.ci_high, n, 1, why), grade=_label(res.grade, n, why),
        grade_ci_low=_label(res.grade_ci_low, n, why),
        grade_ci_high=_label(res.grade_ci_high, n, why),
        acceptability=_label(res.acceptability, n, why), confidence=res.confidence,
    )


def disclose_sus(b: Breakdown[SusResult]) -> Breakdown[DisclosedSus]:
    """The SUS breakdown a startup may see (see the module rules)."""
    return _disclose_rows(b, lambda r: (r.n, r.n_excluded), ("scored", "excluded")).map(
        _sus_row
    )
