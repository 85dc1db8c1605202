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


def _questions(questionnaire: dict[str, Any], lang: Lang
               ) -> list[tuple[str, str, list[int], dict[int, str]]]:
    """The required questions in order: (answer id, label, values, names of values); the
    recommendation score's id is `nps`."""
    likert = questionnaire.get("likert") or []
    nps = questionnaire.get("nps")
    total = len(likert) + (1 if nps else 0)
    found = []
    for n, item in enumerate(likert, start=1):
        found.append((item["id"], f"{t('question_of', lang, n=n, total=total)} — "
                                  f"{item[f'text_{lang}']}", list(range(1, 6)),
                      dict(zip(range(1, 6), item[f"labels_{lang}"], strict=False))))
    if nps:
        anchors = nps.get(f"anchors_{lang}") or []
        found.append(("nps", f"{t('question_of', lang, n=total, total=total)} — "
                             f"{nps[f'text_{lang}']}", list(range(11)),
                      {0: anchors[0], 10: anchors[-1]} if len(anchors) >= 2 else {}))
    return found


def _ask(label: str, values: list[int], names: dict[int, str], key: str,
         index: int | None = None, horizontal: bool = True) -> int | None:
    value: int | None = st.radio(label, values, index=index, horizontal=horizontal, key=key,
                                 format_func=lambda v: f"{v} — {names[v]}" if v in names
                                 else str(v))
    return value


def questionnaire_steps(questionnaire: dict[str, Any], lang: Lang, *, key: str,
                        zones: list[str] | None = None, submit_label: str
                        ) -> tuple[dict[str, Any] | None, str | None]:
    """One question at a time (for small screens): a big choice, then Next; the optional
    questions and the send button come last. Same answer as `questionnaire_form`."""
    questions = _questions(questionnaire, lang)
    step = int(st.session_state.setdefault(f"{key}:step", 0))
    kept: dict[str, int] = st.session_state.setdefault(f"{key}:kept", {})
    if step < len(questions):
        qid, label, values, names = questions[step]
        st.progress((step + 1) / (len(questions) + 1),
                    text=t("step_of", lang, n=step + 1, total=len(questions) + 1))
        chosen = _ask(label, values, names, f"{key}:ask:{qid}",  # one option a line
                      index=values.index(kept[qid]) if qid in kept else None, horizontal=False)
        back, forward = st.columns(2)
        if step and back.button(t("previous", lang), key=f"{key}:back", width="stretch"):
            st.session_state[f"{key}:step"] = step - 1
            st.rerun()
        if forward.button(t("next", lang), key=f"{key}:next", type="primary", width="stretch"):
            if chosen is None:
                st.error(t("answer_missing", lang, question=label.split(" — ", 1)[-1]))
            else:
                kept[qid] = chosen
                st.session_state[f"{key}:step"] = step + 1
                st.rerun()
        return None, None
    st.progress(1.0, text=t("step_of", lang, n=len(questions) + 1, total=len(questions) + 1))
    if st.button(t("previous", lang), key=f"{key}:back-last"):
        st.session_state[f"{key}:step"] = step - 1
        st.rerun()
    body, missing = questionnaire_form(questionnaire, lang, key=key, zones=zones,
                                       submit_label=submit_label, answered=kept)
    return body, missing


def questionnaire_form(questionnaire: dict[str, Any], lang: Lang, *, key: str,
                       zones: list[str] | None = None, submit_label: str,
                       extra: Callable[[], dict[str, Any]] | None = None,
                       answered: dict[str, int] | None = None
                       ) -> tuple[dict[str, Any] | None, str | None]:
    """The form; on submission the API body (or None) and the first missing question.
    `answered`: the required questions already answered one at a time (not asked again)."""
    likert = questionnaire.get("likert") or []
    nps = questionnaire.get("nps")
    sus = questionnaire.get("sus")
    free = questionnaire.get("free_text") or []
    answers: dict[str, int | None] = {}
    score: int | None = None
    with st.form(key):
        extras = extra() if extra else {}
        for qid, label, values, names in _questions(questionnaire, lang):
            value = (answered or {}).get(qid)
            if value is None:
                widget = f"{key}:nps" if qid == "nps" else f"{key}:likert:{qid}"
                value = _ask(label, values, names, widget)
            if qid == "nps":
                score = value
            else:
                answers[qid] = value
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
    sus_given = [a for a in sus_answers if a is not None]
    if sus_given and len(sus_given) != len(sus_answers):
        return None, t("sus_title", lang)
    body: dict[str, Any] = {"likert": {k: v for k, v in answers.items()},
                            "free_text": {k: v for k, v in texts.items() if v.strip()},
                            **extras}
    if nps:
        body["nps"] = score
    if sus_given:
        body["sus"] = sus_given
    if zone:
        body["zone"] = zone
    if photo is not None:
        body["photo"] = base64.b64encode(photo.getvalue()).decode()
    return body, None


__all__ = ["questionnaire_form", "questionnaire_steps"]
