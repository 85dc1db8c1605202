"""Two-way fixed effects (unit and period) by exact within transformation.

The unit and period effects are solved from the normal equations with the unit effects
eliminated (a Schur complement of size periods × periods), so unbalanced panels are exact
and memory stays O(units × periods) — never the full dummy matrix. Residualizing by these
effects and regressing on the residualized treatment indicator gives the OLS coefficient
of `y ~ treated_post + C(unit) + C(time)` (Frisch–Waugh–Lovell).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class TwoWay:
    """Projection off unit and period dummies for a fixed set of (unit, period) cells."""

    def __init__(self, unit_idx: IntArray, time_idx: IntArray, n_units: int, n_periods: int):
        """Prepare the projection; every unit and period index must have at least one cell."""
        self.ui, self.ti = unit_idx, time_idx
        self.n_units, self.n_periods = n_units, n_periods
        self.nu = np.bincount(unit_idx, minlength=n_units).astype(float)
        nt = np.bincount(time_idx, minlength=n_periods).astype(float)
        if (self.nu == 0).any() or (nt == 0).any():
            raise ValueError("every unit and period must have at least one cell")
        counts = np.zeros((n_units, n_periods))
        np.add.at(counts, (unit_idx, time_idx), 1.0)
        self.counts = counts
        schur = np.diag(nt) - counts.T @ (counts / self.nu[:, None])
        w, v = np.linalg.eigh((schur + schur.T) / 2)
        keep = w > max(float(w.max()), 1.0) * n_periods * 1e-12
        self.schur_pinv = (v[:, keep] / w[keep]) @ v[:, keep].T
        self.rank = n_units + int(keep.sum())

    def effects(self, rhs_u: FloatArray, rhs_t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Solve for unit and period effects given per-unit and per-period sums (columns)."""
        lam = self.schur_pinv @ (rhs_t - self.counts.T @ (rhs_u / self.nu[:, None]))
        alpha = (rhs_u - self.counts @ lam) / self.nu[:, None]
        return alpha, lam

    def residualize(self, v: FloatArray) -> FloatArray:
        """Return the columns of `v` (cells × m) with unit and period effects removed."""
        m = v.shape[1]
        rhs_u = np.stack([np.bincount(self.ui, v[:, j], self.n_units) for j in range(m)], 1
                         ).astype(np.float64)
        rhs_t = np.stack([np.bincount(self.ti, v[:, j], self.n_periods) for j in range(m)], 1
                         ).astype(np.float64)
        alpha, lam = self.effects(rhs_u, rhs_t)
        return v - alpha[self.ui] - lam[self.ti]

    def unit_post_gram(self, post: npt.NDArray[np.bool_], y_tilde: FloatArray
                       ) -> tuple[FloatArray, FloatArray]:
        """Return (G, b): G = R'R and b = R'ỹ, R the residualized unit × post indicators.

        Any assignment `a` (0/1 per unit) then has estimate a'b / a'Ga, which makes
        randomization inference a matter of small matrix products.
        """
        cp = self.counts * post[None, :]
        n_post = cp.sum(axis=1)
        alpha, lam = self.effects(np.diag(n_post), cp.T.copy())
        gram = np.diag(n_post) - n_post[:, None] * alpha - cp @ lam
        in_post = post[self.ti]
        b = np.bincount(self.ui[in_post], y_tilde[in_post], self.n_units).astype(np.float64)
        return (gram + gram.T) / 2, b


@dataclass(frozen=True, slots=True, eq=False)
class TwfeFit:
    """The TWFE estimate with what inference needs."""

    effect: float
    d_tilde: FloatArray
    resid: FloatArray
    y_tilde: FloatArray
    n_params: int
    bread: float
    projection: TwoWay


def fit_twfe(
    unit_idx: IntArray, time_idx: IntArray, y: FloatArray, treated: npt.NDArray[np.bool_],
    post: npt.NDArray[np.bool_],
) -> TwfeFit:
    """Fit y on the treated×post indicator with unit and period fixed effects."""
    proj = TwoWay(unit_idx, time_idx, treated.size, post.size)
    d = (treated[unit_idx] & post[time_idx]).astype(float)
    yd = proj.residualize(np.column_stack([y, d]))
    y_t, d_t = yd[:, 0], yd[:, 1]
    bread = float(d_t @ d_t)
    scale = float(d @ d)
    if scale == 0.0 or bread <= 1e-10 * scale:
        return TwfeFit(float("nan"), d_t, y_t, y_t, proj.rank + 1, 0.0, proj)
    effect = float(d_t @ y_t) / bread
    return TwfeFit(effect, d_t, y_t - effect * d_t, y_t, proj.rank + 1, bread, proj)


__all__ = ["TwfeFit", "TwoWay", "fit_twfe"]
