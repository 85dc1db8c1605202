"""A pilot's questionnaire as a form: every input labelled, radios usable with the keyboard
(Tab to the group, arrows to choose), the same form for a citizen and a mediator."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.i18n import Lang, t


def _scale(label: str, values: list[int], labels: list[str], key: str) -> int | None:
    names = dict(zip(values, labels, strict=False))
    value: int | None = st.radio(label, values, index=None, horizontal=True, key=key,
                                 format_func=lambda v: f"{v} — {names[v]}" if v in names
                                 else str(v))
    return value


def questionnaire_form(questionnaire: dict[str, Any], lang: Lang, *, key: str,
                       zones: list[str] | None = None, submit_label: str,
                       extra: Callable[[], dict[str, Any]] | None = None
                       ) -> tuple[dict[str, Any] | None, str | None]:
    """The form; on submission the API body (or None) and the first missing question."""
    likert = questionnaire.get("likert") or []
    nps = questionnaire.get("nps")
    sus = questionnaire.get("sus")
    free = questionnaire.get("free_text") or []
    total = len(likert) + (1 if nps else 0)
    answers: dict[str, int | None] = {}
    with st.form(key):
        extras = extra() if extra else {}
        for n, item in enumerate(likert, start=1):
            label = f"{t('question_of', lang, n=n, total=total)} — {item[f'text_{lang}']}"
            answers[item["id"]] = _scale(label, list(range(1, 6)), item[f"labels_{lang}"],
                                         f"{key}:likert:{item['id']}")
        score = None
        if nps:
            label = f"{t('question_of', lang, n=total, total=total)} — {nps[f'text_{lang}']}"
            anchors = nps.get(f"anchors_{lang}") or []
            names = {0: anchors[0], 10: anchors[-1]} if len(anchors) >= 2 else {}
            score = st.radio(label, list(range(11)), index=None, horizontal=True,
                             key=f"{key}:nps", format_func=lambda v: f"{v} — {names[v]}"
                             if v in names else str(v))
        sus_answers: list[int | None] = []
        if sus:
            with st.expander(t("sus_title", lang)):
                for item in sus["items"]:
                    sus_answers.append(_scale(
                        f"{item['position']}. {item[f'text_{lang}']}", list(range(1, 6)),
                        sus[f"labels_{lang}"], f"{key}:sus:{item['position']}"))
        texts = {q["id"]: st.text_area(t("free_optional", lang, question=q[f"text_{lang}"]),
                                       max_chars=2000, key=f"{key}:free:{q['id']}")
                 for q in free}
        zone = None
        if zones:
            zone = st.selectbox(t("zone_optional", lang), [None, *zones], key=f"{key}:zone",
                                format_func=lambda z: t("none", lang) if z is None else z)
        photo = st.file_uploader(t("photo_optional", lang), type=["jpg", "jpeg", "png"],
                                 key=f"{key}:photo")
        sent = st.form_submit_button(submit_label, type="primary")
    if not sent:
        return None, None
    for item in likert:
        if answers[item["id"]] is None:
            return None, item[f"text_{lang}"]
    if nps and score is None:
        return None, nps[f"text_{lang}"]
    answered = [a for a in sus_answers if a is not None]
    if answered and len(answered) != len(sus_answers):
        return None, t("sus_title", lang)
    body: dict[str, Any] = {"likert": {k: v for k, v in answers.items()},
                            "free_text": {k: v for k, v in texts.items() if v.strip()},
                            **extras}
    if nps:
        body["nps"] = score
    if answered:
        body["sus"] = answered
    if zone:
        body["zone"] = zone
    if photo is not None:
        body["photo"] = base64.b64encode(photo.getvalue()).decode()
    return body, None


__all__ = ["questionnaire_form"]
