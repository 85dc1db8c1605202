"""Terrain's analysis core: pure statistics on Polars frames (no database, S3 or HTTP)."""

from experiments import feedback
from experiments.ab import cuped, estimate_ab, welch
from experiments.before_after import before_after, before_after_paired, estimate_before_after
from experiments.did import did_2x2, did_panel, estimate_did_panel, estimate_did_rows
from experiments.multiple import (
    AdjustedKpi,
    KpiTest,
    MultipleTestingResult,
    adjust,
    adjust_kpis,
    benjamini_hochberg,
    holm,
)
from experiments.panel import Panel, build_panel, make_panel
from experiments.power import mde, power_before_after, power_did_panel, power_two_sample
from experiments.quality import check_panel
from experiments.results import EffectResult, PowerResult, QualityReport
from experiments.summaries import Bivariate, DidCells, Moments, did_cells

__all__ = [
    # feedback: Likert, NPS, SUS, breakdowns, disclosure control, raking (its own __all__)
    "feedback",
    # several KPIs
    "AdjustedKpi",
    "KpiTest",
    "MultipleTestingResult",
    "adjust",
    "adjust_kpis",
    "benjamini_hochberg",
    "holm",
    # designs (before/after, DiD 2×2 and panel, A/B with CUPED), quality, power
    "Bivariate",
    "DidCells",
    "EffectResult",
    "Moments",
    "Panel",
    "PowerResult",
    "QualityReport",
    "before_after",
    "before_after_paired",
    "build_panel",
    "check_panel",
    "cuped",
    "did_2x2",
    "did_cells",
    "did_panel",
    "estimate_ab",
    "estimate_before_after",
    "estimate_did_panel",
    "estimate_did_rows",
    "make_panel",
    "mde",
    "power_before_after",
    "power_did_panel",
    "power_two_sample",
    "welch",
]
