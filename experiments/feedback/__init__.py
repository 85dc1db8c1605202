"""Feedback statistics: Likert, NPS and SUS with intervals, breakdowns, disclosure, raking.

Rows become counts per answer level (`likert_counts`, `nps_counts`, `sus_counts`), overall
and per group; `likert`, `nps` and `sus` turn counts into results; `disclose_*` makes the
version a startup may see; `rake` reweights respondents to the city's population margins.
"""

from experiments.feedback._common import Breakdown, Group
from experiments.feedback.disclosure import (
    DISCLOSURE_THRESHOLD,
    ROUNDING_BASE,
    CountTable,
    DisclosedCount,
    DisclosedLabel,
    DisclosedLikert,
    DisclosedNps,
    DisclosedSus,
    DisclosedTable,
    DisclosedValue,
    disclose_likert,
    disclose_nps,
    disclose_sus,
    disclose_table,
    round_count,
)
from experiments.feedback.exceptions import (
    FeedbackDataError,
    InvalidValueError,
    MissingColumnError,
)
from experiments.feedback.scales import (
    LevelShare,
    LikertResult,
    NpsMethod,
    NpsResult,
    SusAcceptability,
    SusGrade,
    SusResult,
    likert,
    nps,
    sus,
    sus_acceptability,
    sus_grade,
)
from experiments.feedback.summaries import (
    SUS_ITEMS,
    ScaleCounts,
    SusCounts,
    likert_counts,
    nps_counts,
    scale_counts,
    sus_counts,
    sus_score_expr,
)
from experiments.feedback.weighting import RakingResult, rake

__all__ = [
    "DISCLOSURE_THRESHOLD",
    "ROUNDING_BASE",
    "SUS_ITEMS",
    "Breakdown",
    "CountTable",
    "DisclosedCount",
    "DisclosedLabel",
    "DisclosedLikert",
    "DisclosedNps",
    "DisclosedSus",
    "DisclosedTable",
    "DisclosedValue",
    "FeedbackDataError",
    "Group",
    "InvalidValueError",
    "LevelShare",
    "LikertResult",
    "MissingColumnError",
    "NpsMethod",
    "NpsResult",
    "RakingResult",
    "ScaleCounts",
    "SusAcceptability",
    "SusCounts",
    "SusGrade",
    "SusResult",
    "disclose_likert",
    "disclose_nps",
    "disclose_sus",
    "disclose_table",
    "likert",
    "likert_counts",
    "nps",
    "nps_counts",
    "rake",
    "round_count",
    "scale_counts",
    "sus",
    "sus_acceptability",
    "sus_counts",
    "sus_grade",
    "sus_score_expr",
]
