"""Disclosure control: no count of 7 or fewer, and no suppressed count recoverable."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.feedback import (
    Breakdown,
    CountTable,
    DisclosedCount,
    DisclosedTable,
    Group,
    ScaleCounts,
    SusCounts,
    disclose_likert,
    disclose_nps,
    disclose_sus,
    disclose_table,
    likert,
    nps,
    round_count,
    sus,
)
from experiments.messages import MESSAGES

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _walk(obj: Any) -> None:
    """Fail on any count that could show 7 or fewer, anywhere in a disclosed structure."""
    if isinstance(obj, DisclosedCount):
        if obj.value is None:
            assert obj.reason in MESSAGES
        else:
            assert obj.value >= 10 and obj.value % 5 == 0, obj
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _walk(getattr(obj, f.name))
        return
    if isinstance(obj, tuple | list):
        for v in obj:
            _walk(v)
        return
    # A bare integer outside a DisclosedCount would be an undisclosed count.
    assert obj is None or isinstance(obj, str | float) and not isinstance(obj, bool), obj


def _walk_json(obj: Any) -> None:
    """The JSON form too: every integer is a multiple of 5 of at least 10."""
    if isinstance(obj, dict):
        for v in obj.values():
            _walk_json(v)
    elif isinstance(obj, list):
        for v in obj:
            _walk_json(v)
    elif isinstance(obj, int) and not isinstance(obj, bool):
        assert obj >= 10 and obj % 5 == 0, obj


def _augmented(cells: np.ndarray) -> np.ndarray:
    out = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1), dtype=np.int64)
    out[:-1, :-1] = cells
    out[:-1, -1] = cells.sum(1)
    out[-1, :-1] = cells.sum(0)
    out[-1, -1] = cells.sum()
    return out


def _shown(t: DisclosedTable) -> np.ndarray:
    rows = [[c.value for c in r] + [tot.value] for r, tot in zip(t.cells, t.row_totals,
                                                                  strict=True)]
    rows.append([c.value for c in t.col_totals] + [t.total.value])
    return np.array(rows, dtype=object)


def _recoverable(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden entries an attacker could solve for, knowing every shown entry exactly.

    An entry is fixed by the row and column sums iff its unit vector lies in the row space
    of the sums' incidence matrix restricted to the hidden entries (a rank test).
    """
    idx = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    rows, cols = hidden.shape
    m = np.zeros((rows + cols, len(idx)))
    for k, (r, c) in enumerate(idx):
        m[r, k] = m[rows + c, k] = 1
    rank = np.linalg.matrix_rank(m) if idx else 0
    out = []
    for k, rc in enumerate(idx):
        e = np.zeros((1, len(idx)))
        e[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([m, e])) == rank:
            out.append(rc)
    return out


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.one_of(st.integers(0, 9), st.integers(0, 80)), min_size=cols,
                     max_size=cols),
            min_size=rows, max_size=rows,
        )
    )
)


@FAST
@given(tables)
def test_disclosed_tables_show_no_small_count_and_hide_no_recoverable_one(
    cells: list[list[int]],
) -> None:
    table = CountTable(tuple(f"g{i}" for i in range(len(cells))),
                       tuple(f"c{j}" for j in range(len(cells[0]))),
                       tuple(tuple(r) for r in cells))
    out = disclose_table(table)
    _walk(out)
    _walk_json(json.loads(json.dumps(out.to_dict())))
    truth = _augmented(np.array(cells))
    shown = _shown(out)
    hidden = np.vectorize(lambda v: v is None)(shown).astype(bool)
    assert (hidden | (truth > 7)).all()  # every count ≤ 7 is hidden
    assert _recoverable(hidden) == []
    for (r, c), v in np.ndenumerate(shown):  # and the rest are rounded to the nearest 5
        if v is not None:
            assert abs(v - truth[r, c]) <= 2


def test_a_single_small_cell_in_a_row_takes_the_next_smallest_with_it() -> None:
    out = disclose_table(CountTable(("all",), ("1", "2", "3", "4", "5"),
                                    ((3, 12, 40, 55, 31),)))
    assert [c.value for c in out.cells[0]] == [None, None, 40, 55, 30]
    assert [c.reason for c in out.cells[0][:2]] == ["suppressed_small_count",
                                                    "suppressed_secondary"]
    assert out.row_totals[0].value == 140  # 141 rounded


def test_zero_is_suppressed_like_any_small_count() -> None:
    out = disclose_table(CountTable(("all",), ("a", "b", "c"), ((0, 20, 30),)))
    assert out.cells[0][0] == DisclosedCount(None, "suppressed_small_count")


@pytest.mark.parametrize(("count", "shown"), [(8, 10), (9, 10), (10, 10), (12, 10), (13, 15),
                                             (17, 15), (18, 20), (102, 100), (103, 105)])
def test_counts_round_to_the_nearest_five(count: int, shown: int) -> None:
    assert round_count(count) == shown


def test_round_count_refuses_small_counts() -> None:
    with pytest.raises(ValueError):
        round_count(7)


# --- the result breakdowns a startup sees -----------------------------------------------------

small_or_big = st.one_of(st.integers(0, 4), st.integers(0, 40))


def _groups(size: int) -> st.SearchStrategy[list[list[int]]]:
    return st.lists(st.lists(small_or_big, min_size=size, max_size=size), min_size=0,
                    max_size=4)


def _breakdown(rows: list[list[int]], low: int, high: int) -> Breakdown[ScaleCounts]:
    make = lambda r: ScaleCounts(low, high, tuple(r))  # noqa: E731
    if not rows:
        return Breakdown(by=None, overall=make([0] * (high - low + 1)))
    overall = [sum(col) for col in zip(*rows, strict=True)]
    return Breakdown(by="channel", overall=make(overall),
                     groups=tuple(Group(f"ch{i}", make(r)) for i, r in enumerate(rows)))


@FAST
@given(_groups(5), st.booleans())
def test_disclosed_likert_never_shows_a_count_of_seven_or_fewer(
    rows: list[list[int]], single: bool
) -> None:
    b = _breakdown(rows[:1] if single else rows, 1, 5)
    out = disclose_likert(b.map(likert))
    _walk(out)
    _walk_json(json.loads(json.dumps(out.to_dict())))
    for g in (out.overall, *(g.value for g in out.groups)):
        for count, share in zip(g.counts, g.shares, strict=True):
            if share.value is not None:
                assert count.value is not None and g.n.value is not None
                assert share.value == pytest.approx(count.value / g.n.value, abs=1e-4)


@FAST
@given(_groups(11))
def test_disclosed_nps_never_shows_a_count_of_seven_or_fewer(rows: list[list[int]]) -> None:
    b = _breakdown(rows, 0, 10).map(nps)
    out = disclose_nps(b)
    _walk(out)
    _walk_json(json.loads(json.dumps(out.to_dict())))
    for res, shown in zip((b.overall, *(g.value for g in b.groups)),
                          (out.overall, *(g.value for g in out.groups)), strict=True):
        if res.n <= 7:
            assert shown.score.value is None and shown.score.reason == "suppressed_small_count"


@FAST
@given(st.lists(st.tuples(st.lists(small_or_big, min_size=41, max_size=41), small_or_big),
                min_size=1, max_size=4))
def test_disclosed_sus_never_shows_a_count_of_seven_or_fewer(
    rows: list[tuple[list[int], int]],
) -> None:
    groups = tuple(Group(f"band{i}", SusCounts(ScaleCounts(0, 40, tuple(p)), ex))
                   for i, (p, ex) in enumerate(rows))
    overall = SusCounts(
        ScaleCounts(0, 40, tuple(sum(c) for c in zip(*(p for p, _ in rows), strict=True))),
        sum(ex for _, ex in rows),
    )
    out = disclose_sus(Breakdown(by="band", overall=overall, groups=groups).map(sus))
    _walk(out)
    _walk_json(json.loads(json.dumps(out.to_dict())))


def test_disclosed_likert_example() -> None:
    # web: 30 answers; phone: 9 answers, all cells ≤ 7; paper: 5 answers.
    b = _breakdown([[2, 3, 5, 10, 10], [2, 0, 1, 3, 3], [0, 1, 1, 2, 1]], 1, 5).map(likert)
    out = disclose_likert(b)
    web, phone, paper = (g.value for g in out.groups)
    assert [c.value for c in web.counts] == [None, None, None, 10, 10]
    assert web.n.value == 30 and web.shares[3].value == pytest.approx(10 / 30, abs=1e-4)
    # paper's n = 5 is hidden; 44 − 30 − 9 would give it back, so the cheapest other row
    # total (phone's 9) is hidden too.
    assert paper.n.reason == "suppressed_small_count"
    assert phone.n.reason == "suppressed_secondary"
    assert out.overall.n.value == 45 and [c.value for c in out.overall.counts][3:] == [15, 15]
    # phone has 9 > 7 respondents, so its mean is shown, rounded:
    # (1·2 + 3·1 + 4·3 + 5·3)/9 = 32/9 = 3.56 → 3.6; its shares need its hidden total.
    assert phone.mean.value == 3.6 and phone.shares[4].reason == "suppressed_derived"
    assert paper.mean.value is None and paper.mean.reason == "suppressed_small_count"


def test_overall_must_equal_the_sum_of_the_groups() -> None:
    b = Breakdown(by="x", overall=ScaleCounts(1, 5, (9, 9, 9, 9, 9)),
                  groups=(Group("a", ScaleCounts(1, 5, (1, 1, 1, 1, 1))),))
    with pytest.raises(ValueError, match="sum of the groups"):
        disclose_likert(b.map(likert))
