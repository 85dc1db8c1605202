"""The questionnaire a tester sees, and the check of answers against it.

SUS wordings: English, Brooke J. (1996) "SUS: a 'quick and dirty' usability scale", in
Jordan et al. (eds), *Usability Evaluation in Industry*, Taylor & Francis, pp. 189–194.
French: the F-SUS, Gronier G. & Baudet A. (2021) "Psychometric Evaluation of the F-SUS:
Creation and Validation of the French Version of the System Usability Scale", International
Journal of Human–Computer Interaction 37(16), doi:10.1080/10447318.2021.1898828 (free to use
with that citation). The wordings must not be edited: scores are only comparable when the
items are the published ones.
"""

from __future__ import annotations

from typing import Any

from lab.exceptions import InvalidInput
from lab.feedback.models import Submission
from lab.pilots.protocol import Protocol, Questionnaire

SUS_ITEMS_EN: tuple[str, ...] = (
    "I think that I would like to use this system frequently.",
    "I found the system unnecessarily complex.",
    "I thought the system was easy to use.",
    "I think that I would need the support of a technical person to be able to use this "
    "system.",
    "I found the various functions in this system were well integrated.",
    "I thought there was too much inconsistency in this system.",
    "I would imagine that most people would learn to use this system very quickly.",
    "I found the system very cumbersome to use.",
    "I felt very confident using the system.",
    "I needed to learn a lot of things before I could get going with this system.",
)
SUS_ITEMS_FR: tuple[str, ...] = (
    "Je voudrais utiliser ce système fréquemment.",
    "Ce système est inutilement complexe.",
    "Ce système est facile à utiliser.",
    "J'aurais besoin du soutien d'un technicien pour être capable d'utiliser ce système.",
    "Les différentes fonctionnalités de ce système sont bien intégrées.",
    "Il y a trop d'incohérences dans ce système.",
    "La plupart des gens apprendraient à utiliser ce système très rapidement.",
    "Ce système est très lourd à utiliser.",
    "Je me suis senti(e) très en confiance en utilisant ce système.",
    "J'ai eu besoin d'apprendre beaucoup de choses avant de pouvoir utiliser ce système.",
)
SUS_SOURCES = {
    "en": "Brooke (1996), SUS: a 'quick and dirty' usability scale",
    "fr": "Gronier & Baudet (2021), F-SUS, doi:10.1080/10447318.2021.1898828",
}
AGREEMENT_LABELS = {
    "fr": ("Pas du tout d'accord", "Pas d'accord", "Ni d'accord ni pas d'accord", "D'accord",
           "Tout à fait d'accord"),
    "en": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
           "Strongly agree"),
}
NPS_QUESTION = {
    "fr": "Quelle est la probabilité que vous recommandiez ce service à un proche ?",
    "en": "How likely is it that you would recommend this service to a friend or relative?",
}
NPS_ANCHORS = {"fr": ("Pas du tout probable", "Très probable"),
               "en": ("Not at all likely", "Extremely likely")}
KEEP_QUESTION = {"fr": "La ville devrait-elle garder ce service ?",
                 "en": "Should the city keep it?"}


Parsed = tuple[Questionnaire, frozenset[str]]
_by_hash: dict[tuple[str, str], Parsed] = {}


def cached(pilot_id: Any, protocol_hash: str | None) -> Parsed | None:
    """The questionnaire and zone codes of a frozen protocol, if already parsed."""
    return _by_hash.get((str(pilot_id), protocol_hash)) if protocol_hash else None


def parse(pilot_id: Any, protocol_hash: str | None, protocol: dict[str, Any]) -> Parsed:
    """Parse a protocol's questionnaire and zones; kept per frozen protocol (its hash)."""
    model = Protocol.model_validate(protocol)
    found = (model.questionnaire, frozenset(model.zones()))
    if protocol_hash:
        if len(_by_hash) > 1024:  # bounded: pilots are few, amendments rarer
            _by_hash.clear()
        _by_hash[(str(pilot_id), protocol_hash)] = found
    return found


def view(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire in both languages, with the scales' labels."""
    return {
        "likert": [{"id": q.id, "text_fr": q.text_fr, "text_en": q.text_en, "scale": [1, 5],
                    "labels_fr": list(AGREEMENT_LABELS["fr"]),
                    "labels_en": list(AGREEMENT_LABELS["en"]), "required": True}
                   for q in questionnaire.likert],
        "nps": ({"text_fr": NPS_QUESTION["fr"], "text_en": NPS_QUESTION["en"], "scale": [0, 10],
                 "anchors_fr": list(NPS_ANCHORS["fr"]), "anchors_en": list(NPS_ANCHORS["en"]),
                 "required": True} if questionnaire.nps else None),
        "sus": ({"items": [{"position": i + 1, "text_fr": fr, "text_en": en}
                           for i, (fr, en) in enumerate(zip(SUS_ITEMS_FR, SUS_ITEMS_EN,
                                                            strict=True))],
                 "scale": [1, 5], "labels_fr": list(AGREEMENT_LABELS["fr"]),
                 "labels_en": list(AGREEMENT_LABELS["en"]), "sources": SUS_SOURCES,
                 "required": "all ten items or none"} if questionnaire.sus else None),
        "free_text": [{"id": q.id, "text_fr": q.text_fr, "text_en": q.text_en,
                       "required": False} for q in questionnaire.free_text],
        "location": {"zone": "optional: one of the pilot's zone codes",
                     "point": "optional: lon/lat in WGS 84"},
        "photo": "optional: a JPEG or PNG of at most 5 MB; its metadata is removed",
    }


def check(submission: Submission, questionnaire: Questionnaire, zones: frozenset[str]) -> None:
    """Refuse answers the questionnaire does not ask for, or misses; names the field."""
    asked = {q.id for q in questionnaire.likert}
    if unknown := sorted(submission.likert.keys() - asked):
        raise InvalidInput(f"No Likert item {unknown[0]!r} in this questionnaire.",
                           field=f"likert.{unknown[0]}")
    if missing := [q.id for q in questionnaire.likert if q.id not in submission.likert]:
        raise InvalidInput(f"Likert item {missing[0]!r} is required (1 to 5).",
                           field=f"likert.{missing[0]}")
    if questionnaire.nps and submission.nps is None:
        raise InvalidInput("The recommendation question (0 to 10) is required.", field="nps")
    if not questionnaire.nps and submission.nps is not None:
        raise InvalidInput("This questionnaire has no recommendation question.", field="nps")
    if not questionnaire.sus and submission.sus is not None:
        raise InvalidInput("This questionnaire has no SUS.", field="sus")
    texts = {q.id for q in questionnaire.free_text}
    if unknown := sorted(submission.free_text.keys() - texts):
        raise InvalidInput(f"No free-text question {unknown[0]!r} in this questionnaire.",
                           field=f"free_text.{unknown[0]}")
    if submission.zone is not None and submission.zone not in zones:
        raise InvalidInput(f"Zone {submission.zone!r} is not a zone of this pilot "
                           f"({', '.join(sorted(zones))}).", field="zone")
    if not (submission.likert or submission.nps is not None or submission.sus
            or submission.free_text):
        raise InvalidInput("The submission answers no question.", field="likert")


__all__ = ["AGREEMENT_LABELS", "KEEP_QUESTION", "NPS_QUESTION", "SUS_ITEMS_EN", "SUS_ITEMS_FR",
           "SUS_SOURCES", "Parsed", "cached", "check", "parse", "view"]
