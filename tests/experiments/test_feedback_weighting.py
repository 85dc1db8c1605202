"""Raking to population margins: margins met, planted sample bias corrected."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from experiments.feedback import likert, likert_counts, nps, nps_counts, rake

AGE = {"18-34": 0.3, "35-64": 0.4, "65+": 0.3}
COMFORT = {"at_ease": 0.8, "not_at_ease": 0.2}


def _biased_sample(n: int, seed: int) -> pl.DataFrame:
    """Young testers over-represented (60/30/10 instead of 30/40/30); satisfaction by age."""
    rng = np.random.default_rng(seed)
    age = rng.choice(list(AGE), size=n, p=[0.6, 0.3, 0.1])
    comfort = np.where(
        rng.random(n) < np.select([age == "18-34", age == "35-64"], [0.95, 0.85], 0.5),
        "at_ease", "not_at_ease",
    )
    # 18-34 answer 4 or 5 (mean 4.5), 35-64 3 or 4 (3.5), 65+ 1 or 2 (1.5).
    base = np.select([age == "18-34", age == "35-64"], [4, 3], 1)
    answer = base + rng.integers(0, 2, size=n)
    ltr = np.select([age == "18-34", age == "35-64"], [10, 8], 3)  # promoter/passive/detractor
    return pl.DataFrame({"age": age, "comfort": comfort, "q": answer, "ltr": ltr})


def _shares(df: pl.DataFrame, column: str, weights: pl.Series) -> dict[str, float]:
    out = df.with_columns(weights).group_by(column).agg(pl.col("weight").sum())
    total = float(out["weight"].sum())
    return {k: v / total for k, v in out.iter_rows()}


def test_raking_matches_every_margin_to_1e_9() -> None:
    df = _biased_sample(3000, seed=1)
    result = rake(df, {"age": AGE, "comfort": COMFORT})
    assert result.converged and result.reason is None and result.weights is not None
    for column, target in (("age", AGE), ("comfort", COMFORT)):
        achieved = _shares(df, column, result.weights)
        assert achieved.keys() == target.keys()
        for k, v in target.items():
            assert achieved[k] == pytest.approx(v, abs=1e-9)
    assert result.weights.sum() == pytest.approx(df.height)  # mean weight 1
    w = result.weights.to_numpy()
    assert result.n_effective == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert result.design_effect is not None and result.design_effect > 1


def test_raking_corrects_a_planted_sample_bias() -> None:
    df = _biased_sample(4000, seed=2)
    result = rake(df, {"age": AGE})
    assert result.weights is not None
    weighted = df.with_columns(result.weights)
    # Population mean: 0.3·4.5 + 0.4·3.5 + 0.3·1.5 = 3.2; the sample's is about 3.9.
    plain = likert_counts(df, "q").map(likert).overall
    fixed = likert_counts(weighted, "q", weight="weight").map(likert).overall
    assert plain.ci_low is not None and plain.ci_low > 3.5
    assert fixed.ci_low is not None and fixed.ci_high is not None
    assert fixed.ci_low <= 3.2 <= fixed.ci_high and fixed.mean == pytest.approx(3.2, abs=0.05)
    assert fixed.n_effective < fixed.n  # the interval pays for the weights
    # NPS: population 30% promoters − 30% detractors = 0; the sample says about +50.
    score = nps_counts(weighted, "ltr", weight="weight").map(nps).overall.score
    assert score == pytest.approx(0.0, abs=1e-6)
    # Top-2-box: population share answering 4–5 = 0.3 + 0.4·0.5 = 0.5.
    assert fixed.top2_share == pytest.approx(0.5, abs=0.03)


def test_raking_cannot_invent_missing_categories() -> None:
    df = pl.DataFrame({"age": ["18-34", "35-64", "35-64"]})
    empty = rake(df, {"age": AGE})
    assert empty.reason == "raking_empty_category" and empty.weights is None
    assert empty.detail is not None and "65+" in empty.detail
    unknown = rake(pl.DataFrame({"age": ["18-34", "35-64", "65+", "99+"]}), {"age": AGE})
    assert unknown.reason == "raking_unknown_category" and "99+" in (unknown.detail or "")
    nothing = rake(pl.DataFrame({"age": []}, schema={"age": pl.String}), {"age": AGE})
    assert nothing.reason == "no_responses"
    assert unknown.to_dict()["reason_message"]


def test_raking_accepts_population_counts_and_base_weights() -> None:
    df = _biased_sample(500, seed=3).with_columns(base=pl.lit(2.0))
    counts = {k: v * 120_000 for k, v in AGE.items()}
    result = rake(df, {"age": counts}, base_weight="base")
    assert result.weights is not None and result.converged
    assert result.weights.sum() == pytest.approx(2.0 * df.height)
    for k, v in _shares(df, "age", result.weights).items():
        assert v == pytest.approx(AGE[k], abs=1e-9)
