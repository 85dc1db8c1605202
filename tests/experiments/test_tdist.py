"""Student t tails and quantiles in pure Python, checked against `scipy.special`.

scipy is the independent reference. Where it is itself inexact (measured against 60-digit
arithmetic) the reference is a closed form, or the check leaves the spot out:
* `stdtr` at exactly df = 1 loses digits near 0 (relative error 3e-11 at x = 1e-6, 2e-9 at
  3e-9), so df = 1 is checked against the Cauchy tail atan2(1, x)/π;
* `stdtrit` errs near the median (at df = 1: 5e-13 at q = 0.4999, 1e-11 at ½ + 1e-6, 3e-8 at
  ½ + 1e-9; at df = 19: 1e-12 at ½ + 1e-9) and returns +inf at q = 1e-300, so quantiles are
  compared with it for 1e-15 ≤ q ≤ 1 − 1e-12 and |q − ½| ≥ 0.01, and next to the median
  against the series of the cdf instead.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import special

from experiments._tdist import t_ppf, t_sf

ROOT = Path(__file__).resolve().parents[2]
REL = 1e-12  # worst seen 4e-13, in far normal-like tails where scipy itself errs by 3e-13
TINY = 1e-290  # below this, values are only required to be tiny too
DFS = [0.5, 1, 1.5, 2, 2.7, 3, 5, 9, 19, 29.3, 39, 100, 1234.5, 1e5, 1e7, math.inf]
XS = [0.0, 1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 3.5,
      4.0, 5.0, 6.0, 8.0, 10.0, 12.5, 15.0, 20.0, 25.0, 30.0, 33.3, 37.0, 40.0, 45.0, 50.0,
      60.0]
QS = [1e-15, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.49, 0.5,
      0.51, 0.6, 0.75, 0.9, 0.975, 0.99, 0.999, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12]


def ref_sf(x: float, df: float) -> float:
    if df == 1:
        return math.atan2(1, x) / math.pi
    return float(special.ndtr(-x) if math.isinf(df) else special.stdtr(df, -x))


def ref_ppf(q: float, df: float) -> float:
    return float(special.ndtri(q) if math.isinf(df) else special.stdtrit(df, q))


def assert_close(got: float, ref: float, rel: float = REL) -> None:
    if abs(ref) < TINY:
        assert abs(got) < 1e-280, (got, ref)
    else:
        assert abs(got - ref) <= rel * abs(ref), (got, ref, abs(got / ref - 1))


@pytest.mark.parametrize("df", DFS)
def test_sf_matches_scipy_on_both_tails(df: float) -> None:
    for x in XS:
        assert_close(t_sf(x, df), ref_sf(x, df))
        assert_close(t_sf(-x, df), ref_sf(-x, df))


@pytest.mark.parametrize("df", DFS)
def test_ppf_matches_scipy_from_far_tails_to_centre(df: float) -> None:
    for q in QS:
        assert_close(t_ppf(q, df), ref_ppf(q, df))


@pytest.mark.parametrize("df", DFS)
def test_sf_inverts_ppf(df: float) -> None:
    for p in [1e-15, 1e-9, 1e-6, 0.001, 0.025, 0.2, 0.45, 0.4999]:
        assert t_sf(t_ppf(1 - p, df), df) == pytest.approx(1 - (1 - p), rel=REL)
        assert t_sf(t_ppf(p, df), df) == pytest.approx(1 - p, rel=REL)


@pytest.mark.parametrize("df", DFS)
def test_tails_are_symmetric(df: float) -> None:
    for x in XS:
        assert t_sf(x, df) + t_sf(-x, df) == pytest.approx(1.0, abs=4e-16)
    for q in [2.0**-40, 2.0**-10, 0.125, 0.25, 0.375]:  # 1 − q is exact for these
        assert t_ppf(1 - q, df) == -t_ppf(q, df)


def test_closed_forms_for_df_1_and_2() -> None:
    # sf = ½ − x/(2√(2 + x²)) at df = 2, written without cancellation for x > 0
    for x in [1e-12, 1e-8, 1e-6, 1e-4, 0.3, 7.0, 1e8]:
        assert t_sf(x, 1) == pytest.approx(math.atan(1 / x) / math.pi, rel=1e-15)
        assert t_sf(x, 2) == pytest.approx(1 / (2 + x * (x + math.sqrt(2 + x * x))),
                                           rel=1e-14)
        assert t_sf(-x, 2) == pytest.approx(0.5 + x / (2 * math.sqrt(2 + x * x)), rel=1e-15)
    for d in [1e-15, 1e-9, 1e-6, 1e-3]:
        assert t_ppf(0.5 + d, 1) == pytest.approx(math.tan(math.pi * d), rel=1e-15)


@pytest.mark.parametrize("df", [0.5, 1.5, 3, 9, 29.3])
def test_ppf_next_to_the_median_follows_its_series(df: float) -> None:
    # cdf(t) − ½ = f0·(t − (df + 1)/(6·df)·t³ + O(t⁵)), inverted: t = s·(1 + k·s²), s = d/f0
    f0 = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    for q in [0.5 + 2.0**-50, 0.5 + 1e-12, 0.5 - 1e-9, 0.5 + 1e-6, 0.5 - 1e-6]:
        s = (q - 0.5) / f0  # q − ½ is exact
        assert t_ppf(q, df) == pytest.approx(s * (1 + (df + 1) / (6 * df) * s * s), rel=1e-13)


def test_huge_df_is_the_normal() -> None:
    for df in [1e20, 1e30, 1e300]:
        for x in [0.5, 2.0, 8.0, 30.0, -3.0]:
            assert_close(t_sf(x, df), float(special.ndtr(-x)))
        for q in [1e-12, 0.025, 0.7]:
            assert_close(t_ppf(q, df), float(special.ndtri(q)))


def test_far_tail_beyond_scipy_grid() -> None:
    # Far tails where sf is a power law: sf(x) ≈ c·x^(−df), with heavy-tailed df.
    for df in [0.5, 1.5, 3.0]:
        for x in [1e5, 1e20, 1e100]:
            assert_close(t_sf(x, df), ref_sf(x, df))
    assert t_ppf(1e-300, 0.5) == -math.inf  # the quantile is about −1e600
    # beyond scipy's range (its stdtr(0.5, −1e200) is 0): sf(x) → f0·df^((df−1)/2)·x^(−df)
    df = 0.5
    f0 = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    for x in [1e200, 1e300]:
        assert t_sf(x, df) == pytest.approx(f0 * df ** ((df - 1) / 2) * x**-df, rel=1e-13)


def test_edge_values_follow_scipy() -> None:
    inf, nan = math.inf, math.nan
    for df in [0.5, 3, 1e7, inf]:
        assert t_sf(0.0, df) == 0.5
        assert t_sf(inf, df) == 0.0
        assert t_sf(-inf, df) == 1.0
        assert t_ppf(0.5, df) == 0.0
        assert t_ppf(0.0, df) == -inf
        assert t_ppf(1.0, df) == inf
        assert math.isnan(t_sf(nan, df))
        for q in [nan, -0.1, 1.1]:
            assert math.isnan(t_ppf(q, df))
    for df in [0, -1, nan, -inf]:
        assert math.isnan(t_sf(1.0, df))
        assert math.isnan(t_ppf(0.3, df))


def test_integer_and_numpy_inputs_give_python_floats() -> None:
    assert type(t_sf(2, 7)) is float
    assert type(t_ppf(np.float64(0.975), 7)) is float
    assert t_ppf(0.975, 7) == pytest.approx(float(special.stdtrit(7, 0.975)), rel=REL)
    assert type(t_sf(np.float64(2.0), np.float64(12.5))) is float


dfs = st.one_of(st.floats(0.5, 50.0), st.floats(50.0, 1e9))


@settings(max_examples=400, deadline=None)
@given(df=dfs, x=st.floats(-60.0, 60.0))
def test_sf_matches_scipy_for_any_df_and_x(df: float, x: float) -> None:
    assert_close(t_sf(x, df), ref_sf(x, df))


@settings(max_examples=300, deadline=None)
@given(df=dfs, q=st.floats(1e-15, 1 - 1e-12))
def test_ppf_matches_scipy_for_any_df_and_q(df: float, q: float) -> None:
    assume(abs(q - 0.5) >= 0.01)  # where scipy's own error can exceed REL (module docstring)
    assert_close(t_ppf(q, df), ref_ppf(q, df))


@pytest.mark.slow
def test_designs_import_without_scipy() -> None:
    code = ("import sys, experiments.ab, experiments.did, experiments.inference, "
            "experiments.before_after; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"
