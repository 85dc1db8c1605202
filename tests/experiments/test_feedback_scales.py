"""Likert, NPS and SUS against worked examples, references and simulation."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from experiments.feedback import (
    InvalidValueError,
    MissingColumnError,
    ScaleCounts,
    likert,
    likert_counts,
    nps,
    nps_counts,
    sus,
    sus_counts,
    sus_grade,
    sus_score_expr,
)
from experiments.messages import MESSAGES

Z95 = 1.959963984540054


# --- Likert -------------------------------------------------------------------------------


def test_likert_matches_hand_computed_example() -> None:
    # Answers 1,2,2,3,3,3,4,4,5,5: counts 1/2/3/2/2, n = 10.
    # mean = (1·1 + 2·2 + 3·3 + 4·2 + 5·2) / 10 = 32/10 = 3.2
    # Σ(x − 3.2)² = 4.84 + 2·1.44 + 3·0.04 + 2·0.64 + 2·3.24 = 15.6, s² = 15.6/9
    # top-2 box = (2 + 2)/10 = 0.4
    df = pl.DataFrame({"q": [1, 2, 2, 3, 3, 3, 4, 4, 5, 5, None]})
    r = likert_counts(df, "q").map(likert).overall
    assert r.n == 10 and r.n_missing == 1
    assert [(d.level, d.count) for d in r.distribution] == [(1, 1), (2, 2), (3, 3), (4, 2), (5, 2)]
    assert [d.share for d in r.distribution] == pytest.approx([0.1, 0.2, 0.3, 0.2, 0.2])
    assert r.mean == pytest.approx(3.2, abs=1e-12)
    assert r.sd == pytest.approx(math.sqrt(15.6 / 9), rel=1e-12)
    half = stats.t.ppf(0.975, 9) * math.sqrt(15.6 / 9) / math.sqrt(10)  # 0.9418…
    assert (r.ci_low, r.ci_high) == pytest.approx((3.2 - half, 3.2 + half), rel=1e-12)
    assert r.top2_count == 4 and r.top2_share == pytest.approx(0.4)
    ref = proportion_confint(4, 10, alpha=0.05, method="wilson")  # (0.1682, 0.6873)
    assert (r.top2_ci_low, r.top2_ci_high) == pytest.approx(ref, rel=1e-9)
    assert r.reason is None and r.warnings == ()


def test_likert_lists_every_level_even_when_nobody_chose_it() -> None:
    r = likert_counts(pl.DataFrame({"q": [2, 2, 6]}), "q", low=1, high=7).map(likert).overall
    assert [d.level for d in r.distribution] == [1, 2, 3, 4, 5, 6, 7]
    assert [d.count for d in r.distribution] == [0, 2, 0, 0, 0, 1, 0]
    assert r.top2_count == 1  # levels 6 and 7 on a 1–7 scale


def test_likert_degenerate_data_returns_reasons_not_errors() -> None:
    empty = likert(ScaleCounts(1, 5, (0, 0, 0, 0, 0)))
    assert empty.reason == "no_responses" and empty.mean is None and empty.top2_share is None
    one = likert(ScaleCounts(1, 5, (0, 0, 1, 0, 0)))
    assert one.mean == 3 and one.ci_low is None and one.warnings == ("too_few_observations",)
    same = likert(ScaleCounts(1, 5, (0, 0, 0, 0, 9)))
    assert same.mean == 5 and same.ci_low is None and same.warnings == ("zero_variance",)
    assert same.top2_ci_low is not None and same.top2_ci_high == pytest.approx(1.0)
    for r in (empty, one, same):
        assert r.to_dict()["reason"] in (None, *MESSAGES)


def test_likert_interval_is_clipped_to_the_scale() -> None:
    r = likert(ScaleCounts(1, 5, (0, 0, 0, 1, 2)))
    assert r.ci_high == 5 and r.ci_low is not None and r.ci_low >= 1


def test_out_of_range_or_fractional_answers_raise_with_the_column_named() -> None:
    with pytest.raises(InvalidValueError, match="'q'.*1..5"):
        likert_counts(pl.DataFrame({"q": [1, 6]}), "q")
    with pytest.raises(InvalidValueError):
        likert_counts(pl.DataFrame({"q": [1.0, 2.5]}), "q")
    with pytest.raises(InvalidValueError):
        nps_counts(pl.DataFrame({"r": [11]}), "r")
    with pytest.raises(MissingColumnError, match="channel"):
        nps_counts(pl.DataFrame({"r": [1]}), "r", by="channel")


# --- NPS ----------------------------------------------------------------------------------


def test_nps_matches_hand_computed_example() -> None:
    # 10, 9, 9, 10, 9 are promoters (5); 8, 7 passives (2); 6, 5, 0 detractors (3).
    # NPS = 100·(5/10 − 3/10) = 20.
    # Var = (0.5 + 0.3 − 0.2²)/10 = 0.076; half-width = 1.95996·√0.076 = 0.5403 → ±54.03.
    df = pl.DataFrame({"r": [10, 9, 9, 8, 7, 6, 5, 0, 10, 9]})
    r = nps_counts(df, "r").map(nps).overall
    assert (r.promoters, r.passives, r.detractors, r.n) == (5, 2, 3, 10)
    assert r.score == pytest.approx(20.0, abs=1e-12)
    assert (r.share_promoters, r.share_passives, r.share_detractors) == pytest.approx(
        (0.5, 0.2, 0.3))
    half = 100 * Z95 * math.sqrt(0.076)
    assert (r.ci_low, r.ci_high) == pytest.approx((20 - half, 20 + half), rel=1e-12)
    assert r.ci_low == pytest.approx(-34.03, abs=0.01) and r.ci_high == pytest.approx(74.03,
                                                                                      abs=0.01)


def test_nps_variance_equals_the_variance_of_plus_minus_one_scores() -> None:
    # The trinomial formula is the variance of the mean of +1 / 0 / −1 scores.
    rng = np.random.default_rng(7)
    answers = rng.integers(0, 11, size=300)
    r = nps(ScaleCounts(0, 10, tuple(int(c) for c in np.bincount(answers, minlength=11))))
    scores = np.where(answers >= 9, 1.0, np.where(answers <= 6, -1.0, 0.0))
    se = scores.std(ddof=0) / math.sqrt(len(scores))
    assert r.score == pytest.approx(100 * scores.mean(), rel=1e-12)
    assert r.ci_high is not None and r.score is not None
    assert r.ci_high - r.score == pytest.approx(100 * Z95 * se, rel=1e-10)


def test_nps_adjusted_wald_matches_hand_computation() -> None:
    # Same 5 / 2 / 3 answers: n' = 13, p_P' = 5.75/13, p_D' = 3.75/13.
    r = nps(ScaleCounts(0, 10, (1, 0, 0, 0, 0, 1, 1, 1, 1, 3, 2)), method="adjusted_wald")
    pp, pd = 5.75 / 13, 3.75 / 13
    half = Z95 * math.sqrt((pp + pd - (pp - pd) ** 2) / 13)
    assert r.score == pytest.approx(20.0)
    assert (r.ci_low, r.ci_high) == pytest.approx((100 * (pp - pd - half),
                                                   100 * (pp - pd + half)), rel=1e-12)


def test_nps_interval_covers_the_true_score_in_95_percent_of_simulations() -> None:
    rng = np.random.default_rng(2024)
    p = np.array([0.25, 0.30, 0.45])  # detractors, passives, promoters: true NPS = 20
    draws = rng.multinomial(150, p, size=1000)
    hits = 0
    for d, q, pr in draws:
        r = nps(ScaleCounts(0, 10, (int(d), 0, 0, 0, 0, 0, 0, int(q), 0, int(pr), 0)))
        assert r.ci_low is not None and r.ci_high is not None
        hits += r.ci_low <= 20.0 <= r.ci_high
    assert 0.925 <= hits / 1000 <= 0.975


def test_nps_interval_agrees_with_a_bootstrap() -> None:
    counts = (20, 0, 0, 0, 0, 0, 30, 25, 25, 60, 40)  # 50 detractors, 50 passives, 100 promoters
    r = nps(ScaleCounts(0, 10, counts))
    rng = np.random.default_rng(11)
    boot = rng.multinomial(200, np.array([50, 50, 100]) / 200, size=4000)
    scores = 100 * (boot[:, 2] - boot[:, 0]) / 200
    low, high = np.percentile(scores, [2.5, 97.5])
    assert r.ci_low == pytest.approx(low, abs=2.0) and r.ci_high == pytest.approx(high, abs=2.0)


def test_nps_degenerate_cases() -> None:
    assert nps(ScaleCounts(0, 10, (0,) * 11)).reason == "no_responses"
    everyone = nps(ScaleCounts(0, 10, (0,) * 10 + (12,)))
    assert everyone.score == 100 and everyone.ci_low is None
    assert everyone.warnings == ("zero_variance",)
    adjusted = nps(ScaleCounts(0, 10, (0,) * 10 + (12,)), method="adjusted_wald")
    assert adjusted.ci_low is not None and adjusted.ci_low < 100 and adjusted.ci_high == 100


# --- SUS ----------------------------------------------------------------------------------


def _sus_frame(rows: list[list[int | None]], **extra: list[object]) -> pl.DataFrame:
    cols = {f"q{i + 1}": [r[i] for r in rows] for i in range(10)}
    return pl.DataFrame(cols | extra)


def test_sus_scores_match_brooke_scoring_by_hand() -> None:
    rows: list[list[int | None]] = [
        # odd items 4,4,4,5,4 → 3+3+3+4+3 = 16; even 2,1,2,2,2 → 3+4+3+3+3 = 16; 32·2.5 = 80
        [4, 2, 4, 1, 4, 2, 5, 2, 4, 2],
        # all 3: odd 5·2 = 10, even 5·2 = 10; 20·2.5 = 50
        [3] * 10,
        # best possible: odd 5 → 4 each, even 1 → 4 each; 40·2.5 = 100
        [5, 1] * 5,
        # one item missing: excluded (all ten items or none)
        [5, 1, 5, 1, 5, 1, 5, 1, 5, None],
        # nothing answered: not a SUS respondent at all
        [None] * 10,
    ]
    df = _sus_frame(rows)
    assert df.select(sus_score_expr())["sus_score"].to_list() == [80.0, 50.0, 100.0, None, None]
    r = sus_counts(df).map(sus).overall
    assert (r.n, r.n_excluded) == (3, 1)
    assert "sus_incomplete_excluded" in r.warnings
    # mean = (80 + 50 + 100)/3 = 76.67 → grade B (74.1–77.1)
    assert r.mean == pytest.approx(230 / 3, rel=1e-12)
    # deviations 3.33, −26.67, 23.33: Σ² = 1266.67, s² = 633.33
    assert r.sd == pytest.approx(math.sqrt(1266.6666666666667 / 2), rel=1e-12)
    assert r.grade == "B" and r.acceptability == "acceptable"
    half = stats.t.ppf(0.975, 2) * r.sd / math.sqrt(3)
    assert r.ci_low == pytest.approx(230 / 3 - half, rel=1e-12)
    assert r.ci_high == 100.0  # 76.67 + 62.5 is clipped to the scale
    assert r.grade_ci_low == "F" and r.grade_ci_high == "A+"


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A+"), (84.1, "A+"), (84.0, "A"), (80.8, "A"), (80.7, "A-"), (78.9, "A-"),
     (78.8, "B+"), (77.2, "B+"), (77.1, "B"), (74.1, "B"), (74.0, "B-"), (72.6, "B-"),
     (72.5, "C+"), (71.1, "C+"), (71.0, "C"), (68.0, "C"), (65.0, "C"), (64.9, "C-"),
     (62.7, "C-"), (62.6, "D"), (51.7, "D"), (51.6, "F"), (0, "F"), (841 / 10, "A+")],
)
def test_sus_grades_follow_the_sauro_lewis_curved_scale(score: float, grade: str) -> None:
    assert sus_grade(score) == grade


def test_sus_out_of_range_item_raises() -> None:
    with pytest.raises(InvalidValueError, match="1..5"):
        sus_counts(_sus_frame([[0, 1, 1, 1, 1, 1, 1, 1, 1, 1]]))


# --- breakdowns -----------------------------------------------------------------------------


def test_breakdown_by_channel_equals_each_channel_alone() -> None:
    rng = np.random.default_rng(3)
    channels = rng.choice(["web", "phone", "counter", "paper", "mediator"], size=400)
    df = pl.DataFrame({"r": rng.integers(0, 11, size=400), "channel": channels})
    df = df.with_columns(pl.when(pl.int_range(pl.len()) % 37 == 0).then(None)
                         .otherwise(pl.col("channel")).alias("channel"))
    b = nps_counts(df.lazy(), "r", by="channel").map(nps)
    assert [g.label for g in b.groups] == ["counter", "mediator", "paper", "phone", "web", None]
    for g in b.groups:
        alone = df.filter(pl.col("channel").is_null() if g.label is None
                          else pl.col("channel") == g.label)
        assert g.value == nps_counts(alone, "r").map(nps).overall
    assert b.overall == nps_counts(df, "r").map(nps).overall
    assert sum(g.value.n for g in b.groups) == b.overall.n == 400


def test_sus_breakdown_keeps_groups_with_only_partial_answers() -> None:
    df = _sus_frame([[3] * 10, [3] * 9 + [None]], band=["18-34", "75+"])
    b = sus_counts(df, by="band").map(sus)
    assert [(g.label, g.value.n, g.value.n_excluded) for g in b.groups] == [
        ("18-34", 1, 0), ("75+", 0, 1)]
    assert b.groups[1].value.reason == "no_responses"


# --- weights --------------------------------------------------------------------------------


def test_constant_weights_change_nothing() -> None:
    df = pl.DataFrame({"r": [10, 9, 9, 8, 7, 6, 5, 0, 10, 9], "w": [2.5] * 10})
    assert nps_counts(df, "r", weight="w").map(nps).overall.to_dict() | {"weighted": False} == (
        nps_counts(df, "r").map(nps).overall.to_dict())


def test_integer_weights_give_the_point_estimates_of_replicated_rows() -> None:
    df = pl.DataFrame({"q": [1, 2, 4, 5, 5], "w": [3, 1, 2, 1, 4]})
    weighted = likert_counts(df, "q", weight="w").map(likert).overall
    replicated = likert_counts(df.select(pl.col("q").repeat_by("w").explode()), "q")
    plain = likert(replicated.overall)
    assert weighted.mean == pytest.approx(plain.mean, rel=1e-12)
    assert weighted.top2_share == pytest.approx(plain.top2_share, rel=1e-12)
    # Kish: (Σw)²/Σw² = 11²/31
    assert weighted.n_effective == pytest.approx(121 / 31)
    assert weighted.n == 5


def test_weighted_nps_uses_the_kish_effective_sample_size() -> None:
    df = pl.DataFrame({"r": [10, 10, 0, 8, 9, 3], "w": [1.0, 2.0, 1.0, 0.5, 3.0, 1.5]})
    r = nps_counts(df, "r", weight="w").map(nps).overall
    w = np.array([1.0, 2.0, 1.0, 0.5, 3.0, 1.5])
    pp, pd = (1 + 2 + 3) / w.sum(), (1 + 1.5) / w.sum()
    n_eff = w.sum() ** 2 / (w**2).sum()
    half = 100 * Z95 * math.sqrt((pp + pd - (pp - pd) ** 2) / n_eff)
    assert r.score == pytest.approx(100 * (pp - pd))
    assert r.ci_high == pytest.approx(min(100.0, 100 * (pp - pd) + half))
    assert r.n_effective == pytest.approx(n_eff) and r.weighted


def test_negative_weights_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="weights"):
        likert_counts(pl.DataFrame({"q": [1, 2], "w": [1.0, -1.0]}), "q", weight="w")
