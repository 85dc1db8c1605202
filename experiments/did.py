"""Difference-in-differences: the 2×2 form on row flags and the panel form with TWFE.

Both return the OLS coefficient on treated×post (the 2×2 form from cell means, the panel
form with unit and period fixed effects). The relative effect divides by the treated
group's counterfactual pilot-period mean (observed treated pilot mean ȳ₁ minus the effect).
Its interval is the image of the effect's interval under τ ↦ τ / (ȳ₁ − τ): the
counterfactual moves with each candidate effect (a Fieller-type inversion, the relative
effect ρ being tested as the shift τ = ρ·ȳ₁/(1 + ρ)), unbounded when a zero counterfactual
is plausible; ȳ₁ is observed, not estimated.
Inference follows the rule documented in `experiments.inference`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from experiments.heterogeneity import (
    baseline_unit_variances,
    group_means,
    standardized_statistic,
    treated_noisier,
    unit_differences,
)
from experiments.inference import (
    MAX_ASSIGNMENTS,
    MIN_ASSIGNMENTS_WARN,
    MIN_CLUSTERS,
    Inference,
    assignments,
    choose_inference,
    cr1_variance,
    randomization_test,
    studentized_randomization_test,
    t_interval,
)
from experiments.panel import Panel, TimeGrain, build_panel
from experiments.results import NAN, Design, EffectResult, degenerate
from experiments.summaries import DidCells, did_cells
from experiments.twfe import fit_twfe

_W = np.array([[1.0, -1.0], [-1.0, 1.0]])  # contrast on cells [treated, post]: +11 −10 −01 +00


def relative_interval(lo: float, hi: float, y1: float) -> tuple[float, float]:
    """The relative effects τ / (y1 − τ) of the effects τ in [lo, hi] (unbounded across 0)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= y1 <= hi or y1 == 0:
        return -math.inf, math.inf
    a, b = lo / (y1 - lo), hi / (y1 - hi)
    return (min(a, b), max(a, b))


def _finish(
    design: Design, effect: float, counterfactual: float, ci: tuple[float, float, float],
    se: float, base: dict[str, Any], *, method: str, warnings: Sequence[str] = (),
    details: tuple[tuple[str, float], ...] = (),
) -> EffectResult:
    """Assemble an `EffectResult` with the relative effect against the counterfactual."""
    lo, hi, p = ci
    ok = counterfactual != 0 and math.isfinite(counterfactual)
    codes = (*tuple(base.get("warnings", ())), *warnings)
    if not ok:
        codes += ("zero_baseline_mean",)
    if math.isinf(lo) or math.isinf(hi):
        codes += ("ci_unbounded",)
    r_lo, r_hi = relative_interval(lo, hi, counterfactual + effect) if ok else (NAN, NAN)
    fields = {k: v for k, v in base.items() if k not in ("warnings", "method")}
    res = EffectResult(
        design=design, effect=effect,
        relative_effect=effect / counterfactual if ok else NAN, ci_low=lo, ci_high=hi,
        relative_ci_low=r_lo, relative_ci_high=r_hi, p_value=p, se=se,
        baseline_mean=counterfactual, method=method, details=details,
        **fields,
    )
    return res.with_warnings(*codes)


def did_2x2(
    cells: DidCells, *, alpha: float = 0.05, inference: Inference = "auto",
    min_clusters: int = MIN_CLUSTERS, max_assignments: int = MAX_ASSIGNMENTS, seed: int = 0,
) -> EffectResult:
    """2×2 DiD from row-level cells: OLS on treated×post; CR1 by cluster, RI or HC1."""
    n = cells.n.sum(axis=0).astype(float)  # [treated, post]
    n_obs = int(n.sum())
    base = "OLS y ~ treated + post + treated:post"
    kw: dict[str, Any] = dict(method=base, n_obs=n_obs, n_periods=2,
                              n_units=len(cells.clusters) if cells.clustered else None)
    code = ("no_data" if n_obs == 0 else "no_treated" if n[1].sum() == 0 else
            "no_control" if n[0].sum() == 0 else "no_baseline" if n[:, 0].min() == 0 else
            "no_pilot_period" if n[:, 1].min() == 0 else None)
    if code:
        return degenerate("did_2x2", code, **kw)
    sums = (cells.n * cells.mean).sum(axis=0)
    m = sums / n
    effect = float((_W * m).sum())
    cf = float(m[1, 1] - effect)
    ss = cells.ss.sum(axis=0) + (cells.n * (cells.mean - m[None]) ** 2).sum(axis=0)
    if ss.sum() <= 1e-12 * max(1.0, float((cells.n * cells.mean**2).sum())):
        return degenerate("did_2x2", "zero_variance", effect=effect, baseline_mean=cf, **kw)
    if n_obs <= 4:
        return degenerate("did_2x2", "too_few_observations", effect=effect, baseline_mean=cf, **kw)
    g = len(cells.clusters)
    tr_c = cells.n[:, 1].sum(axis=1) > 0
    co_c = cells.n[:, 0].sum(axis=1) > 0
    warnings: list[str] = []
    if not cells.clustered or g < 2:
        var = n_obs / (n_obs - 4) * float((ss / n**2).sum())
        se = math.sqrt(var)
        warnings.append("no_cluster_hc1")
        return _finish("did_2x2", effect, cf, t_interval(effect, se, n_obs - 4, alpha), se, kw,
                       method=f"{base}; HC1 standard errors", warnings=warnings)
    choice = choose_inference(int(tr_c.sum()), int(co_c.sum()), inference, min_clusters)
    if choice == "refused":
        return degenerate("did_2x2", "cluster_inference_refused", effect=effect,
                          baseline_mean=cf, **kw)
    constant = not (tr_c & co_c).any()
    if choice == "randomization" and constant:
        n_pre, n_post = cells.n[:, :, 0].sum(axis=1), cells.n[:, :, 1].sum(axis=1)
        s_pre = (cells.n * cells.mean)[:, :, 0].sum(axis=1)
        s_post = (cells.n * cells.mean)[:, :, 1].sum(axis=1)
        a_mat, exact = assignments(tr_c, max_assignments, seed)
        b_mat = 1.0 - a_mat
        with np.errstate(divide="ignore", invalid="ignore"):
            n11, n01 = a_mat @ n_post, b_mat @ n_post
            est = (a_mat @ s_post / n11 - a_mat @ s_pre / (a_mat @ n_pre)
                   - b_mat @ s_post / n01 + b_mat @ s_pre / (b_mat @ n_pre))
            shift = tr_c * n_post
            resp = a_mat @ shift / n11 - b_mat @ shift / n01
            d = s_post / n_post - s_pre / n_pre
        r = studentized_randomization_test(est, resp, a_mat, d, alpha, exact)
        how = (f"studentized randomization inference ({'all' if exact else 'fixed-seed sample of'}"
               f" {r.n_assignments} assignments of the Welch t, test inversion)")
        if inference == "auto":
            warnings.append("few_clusters_randomization")
        if r.n_assignments < MIN_ASSIGNMENTS_WARN:
            warnings.append("ri_few_assignments")
        return _finish("did_2x2", effect, cf, (r.ci_low, r.ci_high, r.p_value), NAN, kw,
                       method=f"{base}; {how} over clusters", warnings=warnings,
                       details=(("n_assignments", float(r.n_assignments)),
                                ("placebo_sd", r.placebo_sd)))
    if choice == "randomization":
        warnings.append("few_clusters_cluster_robust")
    resid_sums = cells.n * (cells.mean - m[None])  # per cluster and cell
    scores = (resid_sums * _W[None] / n[None]).sum(axis=(1, 2))
    se = math.sqrt(cr1_variance(scores, 1.0, n_obs, 4))
    return _finish("did_2x2", effect, cf, t_interval(effect, se, g - 1, alpha), se, kw,
                   method=f"{base}; cluster-robust (CR1) SE, {g} clusters, t({g - 1})",
                   warnings=warnings)


def did_panel(
    panel: Panel, *, alpha: float = 0.05, inference: Inference = "auto",
    min_clusters: int = MIN_CLUSTERS, max_assignments: int = MAX_ASSIGNMENTS, seed: int = 0,
) -> EffectResult:
    """Panel DiD: TWFE on unit × period means; CR1 by cluster, or randomization inference."""
    used_u = np.bincount(panel.unit_idx, minlength=len(panel.units)) > 0
    used_t = np.bincount(panel.time_idx, minlength=len(panel.periods)) > 0
    u_map, t_map = np.cumsum(used_u) - 1, np.cumsum(used_t) - 1
    ui, ti = u_map[panel.unit_idx], t_map[panel.time_idx]
    treated, post = panel.treated[used_u], panel.post[used_t]
    cl_raw = panel.cluster_idx[used_u]
    n_tr, n_co = int(treated.sum()), int((~treated).sum())
    base = "TWFE OLS y ~ treated_post + C(unit) + C(time)"
    kw: dict[str, Any] = dict(method=base, n_obs=panel.n_cells, n_units=int(used_u.sum()),
              n_periods=int(used_t.sum()), n_treated=n_tr, n_control=n_co,
              warnings=panel.warnings)
    code = ("no_data" if panel.n_cells == 0 else "no_treated" if n_tr == 0 else
            "no_control" if n_co == 0 else "no_pilot_period" if not post.any() else
            "no_baseline" if post.all() else None)
    if code:
        return degenerate("did_panel", code, **kw)
    fit = fit_twfe(ui, ti, panel.y, treated, post)
    if not math.isfinite(fit.effect):
        return degenerate("did_panel", "not_identified", **kw)
    in_tp = treated[ui] & post[ti]
    cf = float(panel.y[in_tp].mean()) - fit.effect
    if fit.resid @ fit.resid <= 1e-20 * max(1.0, float(panel.y @ panel.y)):
        return degenerate("did_panel", "zero_variance", effect=fit.effect, baseline_mean=cf, **kw)
    if panel.n_cells <= fit.n_params:
        return degenerate("did_panel", "too_few_observations", effect=fit.effect,
                          baseline_mean=cf, **kw)
    _, cl = np.unique(cl_raw, return_inverse=True)
    n_cl = int(cl.max()) + 1
    tr_c = np.bincount(cl, treated, n_cl) > 0
    co_c = np.bincount(cl, ~treated, n_cl) > 0
    choice = choose_inference(int(tr_c.sum()), int(co_c.sum()), inference, min_clusters)
    warnings: list[str] = []
    if choice == "refused":
        return degenerate("did_panel", "cluster_inference_refused", effect=fit.effect,
                          baseline_mean=cf, **kw)
    if choice == "cluster" and n_cl >= 2:
        scores = np.bincount(cl[ui], fit.d_tilde * fit.resid, n_cl).astype(np.float64)
        se = math.sqrt(cr1_variance(scores, fit.bread, panel.n_cells, fit.n_params))
        # t(min(G1, G0) − 1): the smaller side drives the CR1 variance when variability
        # differs between treated and control zones (see experiments.inference).
        df = max(1, min(int(tr_c.sum()), int(co_c.sum())) - 1)
        return _finish("did_panel", fit.effect, cf, t_interval(fit.effect, se, df, alpha),
                       se, kw, details=(("n_readings", float(panel.n_readings)),),
                       method=f"{base}; cluster-robust (CR1) SE, {n_cl} clusters, t({df})")
    if inference == "auto":
        warnings.append("few_clusters_randomization")
    d_units = unit_differences(ui, ti, panel.y, post, treated.size)
    var_units, _ = baseline_unit_variances(ui, ti, panel.y, post, treated.size)
    if not (tr_c & co_c).any():
        mat, exact = assignments(tr_c, max_assignments, seed)
        level, d, var = "clusters", group_means(d_units, cl, n_cl), group_means(var_units, cl, n_cl)
    else:
        mat, exact = assignments(treated, max_assignments, seed)
        level, d, var = "units", d_units, var_units
        if n_cl < len(cl):
            warnings.append("ri_ignores_clusters")
    est, resp = standardized_statistic(mat, d, np.sqrt(var))
    k_tr, k_co = int(mat[0].sum()), int(mat.shape[1] - mat[0].sum())
    noisy = treated_noisier(ui, ti, panel.y, treated, post, k_tr)
    deflate = 1.0
    if noisy is not None:
        warnings.append("treated_noisier_few")
        deflate = math.sqrt((noisy.ratio / k_tr + 1 / k_co) / (1 / k_tr + 1 / k_co))
    r = randomization_test(est, resp, alpha, exact, deflate)
    how = (f"randomization inference on zone differences standardized by each zone's baseline "
           f"SD ({'all' if exact else 'fixed-seed sample of'} {r.n_assignments} assignments, "
           "test inversion)")
    if deflate > 1:
        how += f"; statistic deflated ×{deflate:.2f} for the treated zones' extra noise"
    if r.n_assignments < MIN_ASSIGNMENTS_WARN:
        warnings.append("ri_few_assignments")
    det: tuple[tuple[str, float], ...] = (
        ("n_readings", float(panel.n_readings)), ("n_assignments", float(r.n_assignments)),
        ("placebo_sd", r.placebo_sd))
    if noisy is not None:
        det += (("treated_variance_ratio", noisy.ratio),)
    return _finish("did_panel", fit.effect, cf, (r.ci_low, r.ci_high, r.p_value), NAN, kw,
                   method=f"{base}; {how} over {level}", warnings=warnings, details=det)


def estimate_did_rows(
    lf: pl.LazyFrame, *, outcome: str, treated: str, post: str, cluster: str | None = None,
    alpha: float = 0.05, inference: Inference = "auto", seed: int = 0,
) -> EffectResult:
    """2×2 DiD straight from a (lazy) frame with treated and post flag columns."""
    return did_2x2(did_cells(lf, outcome, treated, post, cluster), alpha=alpha,
                   inference=inference, seed=seed)


def estimate_did_panel(
    lf: pl.LazyFrame, *, unit: str, time: str, outcome: str, treated_units: Sequence[str],
    pilot_start: object, control_units: Sequence[str] | None = None,
    time_grain: TimeGrain | None = None, cluster: str | None = None, alpha: float = 0.05,
    inference: Inference = "auto", seed: int = 0, check_quality: bool = True,
    with_event_study: bool = False,
) -> EffectResult:
    """Panel DiD from raw readings: bucket means, TWFE, inference, and quality flags
    (and, with `with_event_study`, the effects by period relative to the start)."""
    panel = build_panel(lf, unit=unit, time=time, outcome=outcome, treated_units=treated_units,
                        pilot_start=pilot_start, control_units=control_units,
                        time_grain=time_grain, cluster=cluster)
    result = did_panel(panel, alpha=alpha, inference=inference, seed=seed)
    if check_quality and result.reason is None:
        from experiments.quality import check_panel

        result = result.with_warnings(*check_panel(panel, inference=inference, seed=seed).flags)
    if with_event_study and result.reason is None:
        from dataclasses import replace

        from experiments.event_study import event_study

        result = replace(result, event_study=event_study(panel, alpha=alpha, seed=seed))
    return result


__all__ = ["did_2x2", "did_panel", "estimate_did_panel", "estimate_did_rows"]
