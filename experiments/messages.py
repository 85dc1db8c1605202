"""One catalogue of the reasons and warnings the analysis core attaches to results.

Every degenerate case returns a result carrying one of these codes; the text is the
plain-English explanation a city analyst reads. Add entries here, never inline strings.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    # --- designs and inference ---
    "no_data": "No observations remain after filtering; nothing can be estimated.",
    "no_control": "No control unit has data; a difference-in-differences cannot be computed.",
    "no_treated": "No treated unit has data; the effect cannot be computed.",
    "no_baseline": "No observation falls in the baseline period.",
    "no_pilot_period": "No observation falls in the pilot period.",
    "zero_variance": "The outcome does not vary; no interval or test can be computed.",
    "too_few_observations": "Too few observations to estimate a variance.",
    "zero_baseline_mean": "The baseline mean is zero; the relative effect is undefined.",
    "one_unit": "Only one unit has data; between-unit variation cannot be estimated.",
    "not_identified": "The treatment indicator is collinear with the unit and time effects; "
    "the effect is not identified.",
    "few_clusters_randomization": "Too few treated or control clusters for cluster-robust "
    "standard errors (they reject too often); the p-value and interval come from "
    "randomization inference, reassigning the treatment among units.",
    "treated_noisier_few": "The one or two pilot zones were clearly more variable than the "
    "control zones before the pilot started; with so few of them the usual interval cannot be "
    "trusted, so it was widened. Treat the result as indicative.",
    "cluster_inference_refused": "Cluster-robust standard errors were requested, but there "
    "are fewer than ten treated or control clusters: they would reject far too often, so the "
    "request was refused. Use automatic or randomization inference.",
    "independent_readings": "Without a time column, readings were treated as independent; "
    "consecutive readings are usually correlated, so the interval is likely too narrow.",
    "few_clusters_cluster_robust": "Too few treated or control clusters: cluster-robust "
    "standard errors were still used and the interval is likely too narrow.",
    "no_cluster_hc1": "No cluster column: rows are treated as independent "
    "(heteroskedasticity-robust HC1); correlated readings make the interval too narrow.",
    "ri_few_assignments": "Few distinct treatment assignments exist; randomization inference "
    "is coarse and the interval may be unbounded.",
    "ri_ignores_clusters": "Treatment varies within clusters; randomization inference "
    "reassigned the treatment among units, not clusters.",
    "ci_unbounded": "The data cannot rule out arbitrarily large effects at this level; "
    "the interval is unbounded.",
    "pilot_start_mid_bucket": "The pilot starts inside a time bucket; that bucket was dropped.",
    "cuped_constant_covariate": "The pre-period covariate does not vary; no CUPED adjustment "
    "was made.",
    "low_coverage": "Some units or periods have data for too few time buckets.",
    "gaps": "Some units have long runs of consecutive missing time buckets.",
    "outliers": "Some unit-by-bucket means are extreme (robust z-score above the threshold).",
    "baseline_imbalance": "Treated and control units differ markedly at baseline "
    "(standardized mean difference above the threshold, and significant).",
    "pre_trend": "A placebo pilot start inside the baseline shows an 'effect': treated and "
    "control were not on parallel trends, so the estimate may be biased.",
    "pre_trend_not_checked": "Parallel pre-trends could not be checked: too few baseline "
    "periods, or too few treated and control zones for the placebo test to ever reject. "
    "This is not a passed check.",
    "power_independent_periods": "The baseline is shorter than the planned design; the "
    "minimum detectable effect assumes independent periods and may be optimistic.",
    "power_randomization": "With fewer than ten treated or control units the analysis uses "
    "randomization inference, whose power is lower than this minimum detectable effect.",
    "synthetic_too_many_treated": "A synthetic control is built for one or two pilot zones; "
    "with more, use the difference-in-differences design.",
    "synthetic_too_few_controls": "A synthetic control needs at least two control zones with "
    "data in nearly every period, three with two pilot zones (to build it, and to leave "
    "donors for the placebo test).",
    "synthetic_too_few_baseline": "Fewer than three baseline periods: the synthetic control's "
    "weights cannot be fitted on the baseline.",
    "synthetic_few_controls": "Too few control zones for the placebo test to reach the chosen "
    "level: the smallest possible p-value is 1 / (number of placebo assignments), so the result "
    "can never be significant and the interval is unbounded. At the 5% level a single pilot "
    "zone needs at least 19 control zones, two pilot zones at least 7.",
    "synthetic_outside_hull": "In most baseline periods the pilot zone was above every control "
    "zone or below every one: no weighted average of control zones can reproduce it, so the "
    "synthetic control fits poorly and the effect may be biased. Choose control zones of "
    "comparable level, or use a difference-in-differences.",
    "synthetic_poor_fit": "The synthetic control did not track the pilot zone before the pilot "
    "started: its baseline error (RMSPE) is more than twice the typical error of the control "
    "zones' own synthetic controls. The effect may be biased; read it as indicative.",
    "synthetic_ci_not_interval": "The effects the placebo test does not reject do not form "
    "one interval: the interval shown spans them all and so contains zero, although the "
    "test rejects an effect of zero.",
    "synthetic_no_constant_effect": "No constant effect makes the pilot zone look like the "
    "placebos: the gap moved too much from period to period during the pilot. There is no "
    "interval for an average effect; read the effects by period.",
    # --- feedback ---
    "no_responses": "No responses were given.",
    "suppressed_small_count": "Suppressed: fewer than the disclosure threshold of respondents.",
    "suppressed_secondary": "Suppressed so that a suppressed small count cannot be worked out "
    "from the totals shown.",
    "suppressed_derived": "Not shown because it would be computed from a suppressed count.",
    "sus_incomplete_excluded": "Some respondents answered only part of the ten SUS items; they "
    "are excluded from the SUS score (all ten items or none).",
    "raking_unknown_category": "Some respondents have a category (or no value) that the "
    "population margins do not list; no weights were computed.",
    "raking_empty_category": "A category of the population margins has no respondents; the "
    "sample cannot be reweighted to match it.",
    "raking_not_converged": "Raking stopped before every margin was matched; the weights are "
    "approximate.",
    # --- several KPIs ---
    "no_p_value": "This KPI has no p-value; it is left out of the multiple-testing family.",
    "several_primary_kpis": "More than one KPI is marked primary; each is also reported "
    "unadjusted, as registered, which does not control the error rate across them.",
}


def message(code: str) -> str:
    """Return the human text for a catalogue code (raises KeyError for unknown codes)."""
    return MESSAGES[code]


__all__ = ["MESSAGES", "message"]
