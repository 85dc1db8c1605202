"""Holm and Benjamini–Hochberg against statsmodels; the primary KPI as registered."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from experiments.multiple import KpiTest, adjust, adjust_kpis, benjamini_hochberg, holm

p_lists = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=25)


def _fixed_families() -> list[list[float]]:
    """Families with ties, zeros, ones and sizes 1–40 (statsmodels' Holm calls gc.collect()
    on every call, which is slow under pytest, so Holm is checked on these only)."""
    rng = np.random.default_rng(5)
    out = [[0.0, 1.0, 0.0, 0.5, 0.5], [0.01, 0.02, 0.02, 0.02, 0.3], [0.7]]
    out += [list(rng.random(n)) for n in (7, 40)]
    out += [list(rng.choice([0.001, 0.01, 0.04, 0.2, 0.9], size=15) * rng.random() ** 3)]
    return out


@pytest.mark.parametrize("p", _fixed_families())
def test_holm_equals_statsmodels(p: list[float]) -> None:
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(p_lists)
def test_bh_equals_statsmodels(p: list[float]) -> None:
    ref = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(benjamini_hochberg(p), ref, rtol=0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(p_lists)
def test_adjusted_p_values_are_monotone_bounded_and_not_below_the_raw_ones(
    p: list[float],
) -> None:
    order = np.argsort(p, kind="stable")
    for adjusted in (np.array(holm(p)), np.array(benjamini_hochberg(p))):
        assert (np.diff(adjusted[order]) >= -1e-15).all()
        assert (adjusted >= np.array(p) - 1e-15).all() and (adjusted <= 1).all()


def test_ties_get_equal_adjusted_values() -> None:
    p = [0.01, 0.02, 0.02, 0.02, 0.3]
    for adjusted in (holm(p), benjamini_hochberg(p)):
        assert adjusted[1] == adjusted[2] == adjusted[3]
    # Holm by hand: 5·0.01 = 0.05; 4·0.02 = 0.08 for all three ties; 1·0.3 → max = 0.3.
    assert holm(p) == pytest.approx((0.05, 0.08, 0.08, 0.08, 0.3))
    # BH by hand: 0.3·5/5 = 0.3; ties → 0.02·5/4 = 0.025; first min(0.01·5, 0.025) = 0.025.
    assert benjamini_hochberg(p) == pytest.approx((0.025, 0.025, 0.025, 0.025, 0.3))


def test_missing_p_values_are_left_out_of_the_family() -> None:
    p = [0.01, math.nan, 0.04, None, 0.03]
    valid = [0.01, 0.04, 0.03]
    for ours, name in ((holm(p), "holm"), (benjamini_hochberg(p), "fdr_bh")):
        assert math.isnan(ours[1]) and math.isnan(ours[3])
        ref = multipletests(valid, method=name)[1]
        np.testing.assert_allclose([ours[0], ours[2], ours[4]], ref, rtol=0, atol=1e-12)
    assert adjust([], "holm") == ()
    assert math.isnan(adjust([None], "bh")[0])


def test_invalid_p_values_are_a_programmer_error() -> None:
    with pytest.raises(ValueError):
        holm([0.5, 1.5])


def test_primary_kpi_is_reported_as_registered_alongside_its_adjusted_value() -> None:
    result = adjust_kpis(
        [KpiTest("energy_kwh", 0.03, is_primary=True), KpiTest("complaints", 0.04),
         KpiTest("outages", 0.20), KpiTest("noise", None)],
        method="holm",
    )
    primary, complaints, outages, noise = result.kpis
    assert result.n_tests == 3
    # Holm over three: 3·0.03 = 0.09, 2·0.04 = 0.08 → 0.09, 1·0.20 = 0.20.
    assert primary.p_adjusted == pytest.approx(0.09) and primary.p_as_registered == 0.03
    assert primary.significant_as_registered is True and primary.significant is False
    assert complaints.p_adjusted == pytest.approx(0.09) and complaints.p_as_registered is None
    assert outages.p_adjusted == pytest.approx(0.20)
    assert noise.p_adjusted is None and noise.reason == "no_p_value"
    payload = result.to_dict()
    assert payload["kpis"][3]["reason_message"] and payload["warnings"] == []


def test_several_primaries_and_duplicate_names() -> None:
    result = adjust_kpis([KpiTest("a", 0.01, True), KpiTest("b", 0.02, True)], method="bh")
    assert result.warnings == ("several_primary_kpis",)
    assert [k.p_adjusted for k in result.kpis] == pytest.approx([0.02, 0.02])
    with pytest.raises(ValueError, match="unique"):
        adjust_kpis([KpiTest("a", 0.1), KpiTest("a", 0.2)])
