"""Terrain's analysis core: pure statistics on Polars frames (no database, S3 or HTTP).

Names load on first use (PEP 562): a process that only needs one design does not pay for
importing every method (and `scipy.stats`) at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments import feedback
    from experiments.ab import cuped, estimate_ab, welch
    from experiments.before_after import (
        before_after,
        before_after_paired,
        estimate_before_after,
    )
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
    from experiments.synthetic import estimate_synthetic_control, synthetic_control

_HOME = {
    "feedback": "experiments.feedback",
    **dict.fromkeys(("cuped", "estimate_ab", "welch"), "experiments.ab"),
    **dict.fromkeys(("before_after", "before_after_paired", "estimate_before_after"),
                    "experiments.before_after"),
    **dict.fromkeys(("did_2x2", "did_panel", "estimate_did_panel", "estimate_did_rows"),
                    "experiments.did"),
    **dict.fromkeys(("AdjustedKpi", "KpiTest", "MultipleTestingResult", "adjust",
                     "adjust_kpis", "benjamini_hochberg", "holm"), "experiments.multiple"),
    **dict.fromkeys(("Panel", "build_panel", "make_panel"), "experiments.panel"),
    **dict.fromkeys(("mde", "power_before_after", "power_did_panel", "power_two_sample"),
                    "experiments.power"),
    "check_panel": "experiments.quality",
    **dict.fromkeys(("EffectResult", "PowerResult", "QualityReport"), "experiments.results"),
    **dict.fromkeys(("Bivariate", "DidCells", "Moments", "did_cells"),
                    "experiments.summaries"),
    **dict.fromkeys(("estimate_synthetic_control", "synthetic_control"),
                    "experiments.synthetic"),
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    if name == "feedback":
        return importlib.import_module(module)
    return getattr(importlib.import_module(module), name)


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
    # designs (before/after, DiD 2×2 and panel, A/B with CUPED, synthetic control), quality,
    # power
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
    "estimate_synthetic_control",
    "make_panel",
    "mde",
    "power_before_after",
    "power_did_panel",
    "power_two_sample",
    "synthetic_control",
    "welch",
]
