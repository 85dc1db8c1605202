"""Every text a person reads exists in French and English, with the same placeholders."""

from __future__ import annotations

import pytest

from experiments.messages import MESSAGES
from lab.datasets.models import VersionStatus
from lab.evaluations.models import EvaluationStatus
from lab.jobs.models import JobStatus
from lab.pilots.models import Decision, PilotStatus
from lab.sandbox.models import ExtractStatus, GrantStatus
from ui.i18n import FLAGS, LANGS, STATUSES, TEXTS, flag, placeholders, status, t
from ui.texts import citizens, common, workspace

TABLES = {"texts": TEXTS, "statuses": STATUSES, "flags": FLAGS}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_text_has_both_languages_and_the_same_placeholders(table: str) -> None:
    problems = []
    for key, entry in TABLES[table].items():
        if set(entry) != set(LANGS) or not all(entry[lang].strip() for lang in entry):
            problems.append(f"{key}: languages {sorted(entry)}")
        elif placeholders(entry["fr"]) != placeholders(entry["en"]):
            problems.append(f"{key}: placeholders {placeholders(entry['fr'])} "
                            f"vs {placeholders(entry['en'])}")
    assert problems == []


def test_text_keys_are_not_defined_twice_across_areas() -> None:
    areas = [common.TEXTS, workspace.TEXTS, citizens.TEXTS]
    assert sum(len(a) for a in areas) == len(TEXTS)


def test_every_status_the_api_sends_is_translated() -> None:
    enums = [PilotStatus, Decision, GrantStatus, ExtractStatus, JobStatus, VersionStatus,
             EvaluationStatus]
    missing = {s.value for e in enums for s in e} - STATUSES.keys()
    assert missing == set()
    assert status("running", "fr") == "en cours"
    assert status("running", "en") == "running"


def test_every_catalogue_code_reads_in_plain_words() -> None:
    assert set(MESSAGES) - FLAGS.keys() == set()
    assert "randomization" not in flag("few_clusters_randomization", "fr")
    assert flag("unknown_code", "en", fallback="The API's text") == "The API's text"


def test_placeholders_are_filled() -> None:
    assert t("signed_in_as", "fr", email="a@b.c", role="admin") == "Connecté·e : a@b.c (admin)"


def test_every_reason_the_analysis_gives_reads_in_french() -> None:
    # the reasons as experiments/recommend.py writes them, one per branch
    from experiments.recommend import REASON_TEXTS, Criterion, GuardrailCriterion, recommend
    from experiments.results import EffectResult
    from ui.i18n import reason

    energy = Criterion(name="energy", direction="decrease", minimum_effect=0.05,
                       success_threshold=0.15)
    noise = GuardrailCriterion(name="complaints", must_not="increase", tolerance=0.10)

    def result(rel: float, lo: float, hi: float, p: float,
               why: str | None = None) -> EffectResult:
        return EffectResult(design="did_panel", effect=rel * 100, relative_effect=rel,
                            ci_low=lo * 100, ci_high=hi * 100, relative_ci_low=lo,
                            relative_ci_high=hi, p_value=p, se=1.0, baseline_mean=100.0,
                            method="test", n_obs=100, reason=why)

    cases = [recommend(result(-0.20, -0.26, -0.14, 0.001), energy),
             recommend(result(-0.08, -0.12, -0.04, 0.01), energy),
             recommend(result(-0.10, -0.25, 0.05, 0.2), energy),
             recommend(result(0.10, 0.04, 0.16, 0.002), energy),
             recommend(result(-0.01, -0.03, 0.01, 0.5), energy),
             recommend(result(float("nan"), float("nan"), float("nan"), float("nan"),
                              "too_few_observations"), energy),
             recommend(result(-0.20, -0.26, -0.14, 0.001), energy,
                       ((result(0.30, 0.2, 0.4, 0.001), noise),)),
             recommend(result(-0.20, -0.26, -0.14, 0.001), energy, interim_fraction=0.4)]
    codes = [why.to_dict() for verdict in cases for why in verdict.why]
    codes.append({"code": "no_primary_data", "kpi": "energy", "values": {},
                  "detail": "no ready version"})
    assert {c["code"] for c in codes} == set(REASON_TEXTS)  # every branch, and nothing else
    for entry in codes:
        french, english = reason(entry, "fr"), reason(entry, "en")
        assert "{" not in french and "{" not in english
        assert not {"the", "interval", "improved", "breached"} & set(french.split()), french
    # the English rendering is the analysis' own sentence
    for verdict in cases:
        assert [reason(w.to_dict(), "en") for w in verdict.why] == list(verdict.reasons)
    success = next(w.to_dict() for v in cases for w in v.why if w.code == "success")
    assert reason(success, "fr") == ("energy s'est amélioré de 20,0 %, au niveau du seuil de "
                                     "réussite (15 %) ou au-delà")
    # results stored before reason codes: the sentence as it came
    assert reason("some older sentence", "fr") == "some older sentence"


def test_percentages_are_written_the_readers_way() -> None:
    from ui.i18n import percent

    assert percent(0.0071, "fr", signed=True) == "+0,7 %"
    assert percent(-0.125, "en", signed=True) == "-12.5%"
    assert percent(0.15, "fr", 0) == "15 %"
    assert percent(None, "fr") == "—" and percent("n/a", "en") == "—"


def test_numbers_are_written_the_readers_way() -> None:
    from ui.i18n import number

    assert number(0.2318, "fr", ".3f") == "0,232" and number(0.2318, "en", ".3f") == "0.232"
    assert number(-1.5, "fr", "+.3g") == "-1,5" and number(None, "fr") == "—"
