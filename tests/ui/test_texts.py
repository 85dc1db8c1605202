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
