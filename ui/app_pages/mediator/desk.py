"""The mediator desk: find or register a person by paper code, enroll them with the consent
read aloud, record their answers with the keyboard alone, then the next person."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import streamlit as st

from ui import frame
from ui.app_pages.citizen.questionnaire import questionnaire_form
from ui.client import ApiClient, ApiError
from ui.i18n import t
from ui.widgets import flash, show_flash, show_problem

CHANNELS = ["phone", "counter", "paper", "mediator"]

lang = frame.lang()
frame.require("mediator")
api = frame.client()
st.title(t("mediator_desk", lang))
st.write(t("desk_intro", lang))
show_flash()


def person_box(client: ApiClient) -> None:
    """Find a person by code, or register a new one (the code is shown once)."""
    find, register = st.columns(2)
    with find, st.form("find-person"):
        st.markdown(f"**{t('find_person', lang)}**")
        code = st.text_input(t("paper_code", lang), max_chars=32, autocomplete="off")
        if st.form_submit_button(t("find", lang), type="primary") and code.strip():
            try:
                st.session_state["person"] = {**client.lookup_tester(code.strip()),
                                              "code": code.strip()}
            except ApiError as exc:
                show_problem(exc, lang)
    with register, st.form("register-person"):
        st.markdown(f"**{t('register_person', lang)}**")
        name = st.text_input(t("name_optional", lang), max_chars=100)
        if st.form_submit_button(t("register", lang)):
            try:
                created = client.register_tester({"name": name.strip() or None})
            except ApiError as exc:
                show_problem(exc, lang)
            else:
                st.session_state["person"] = created
                st.session_state["new_code"] = created["code"]


def enroll_box(client: ApiClient, person: dict[str, Any], pilot: dict[str, Any]) -> None:
    """Read the consent text to the person, then record their consent."""
    consent = pilot.get("consent")
    if not consent:
        st.info(t("no_consent_yet", lang))
        return
    st.markdown(t("read_consent", lang))
    with st.container(border=True):
        st.write(consent[f"text_{lang}"])
    with st.form(f"enroll-{person['id']}-{pilot['id']}"):
        agreed = st.checkbox(t("consent_given", lang))
        if st.form_submit_button(t("enroll_person", lang)) and agreed:
            try:
                client.enroll_tester(person["code"], pilot["id"], int(consent["version"]))
            except ApiError as exc:
                show_problem(exc, lang)
            else:
                flash(t("enrolled_person", lang))
                st.rerun()


def answers_box(client: ApiClient, person: dict[str, Any] | None,
                pilot: dict[str, Any]) -> None:
    try:
        questionnaire = client.questionnaire(pilot["id"])
        places = client.my_places()["items"]
    except ApiError as exc:
        show_problem(exc, lang)
        return
    names = {p["id"]: p["name"] for p in places}

    def collection() -> dict[str, Any]:
        channel = st.radio(t("channel", lang), CHANNELS, horizontal=True, key="channel",
                           format_func=lambda c: t(f"channel_{c}", lang))
        # the language in the key: a keyed selectbox keeps the labels it was first drawn with
        place = st.selectbox(t("place", lang), [None, *names], key=f"place-{lang}",
                             format_func=lambda p: t("no_place", lang) if p is None
                             else names[p])
        today = datetime.now(UTC).date()
        day = st.date_input(t("collected_on", lang), value=today, key="collected-on",
                            min_value=today - timedelta(days=90), max_value=today,
                            format="DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD",
                            help=t("collected_on_help", lang))
        return {"channel": channel, "place_id": place,
                "collected_on": day.isoformat() if isinstance(day, date) else None}

    round_ = st.session_state.setdefault("desk-round", 0)
    key = f"desk-{round_}"
    body, missing = questionnaire_form(questionnaire, lang, key=key, extra=collection,
                                       submit_label=t("record_answers", lang))
    if missing:
        st.error(t("answer_missing", lang, question=missing))
    if body is None:
        return
    if person is not None:
        body["tester_code"] = person["code"]
    idempotency = st.session_state.setdefault(f"idem:{key}", str(uuid.uuid4()))
    try:
        receipt = client.submit_mediated(pilot["id"], body, idempotency)
    except ApiError as exc:
        show_problem(exc, lang)
        return
    st.session_state["desk-round"] = round_ + 1
    flash(t("recorded", lang, receipt=str(receipt["id"])[:8]))
    st.rerun()


def rights_box(client: ApiClient, person: dict[str, Any]) -> None:
    # keyed, so that it stays open when the button that prepares the export reruns the page
    with st.expander(t("person_rights", lang), key="person-rights"):
        if st.button(t("export_person", lang), key="export-person"):
            try:
                st.session_state["person-export"] = client.export_tester(person["code"])
            except ApiError as exc:
                show_problem(exc, lang)
        if held := st.session_state.get("person-export"):
            st.download_button(t("download_person", lang),
                               json.dumps(held, ensure_ascii=False, indent=2),
                               file_name=f"{person['pseudonym']}.json", mime="application/json",
                               icon=":material/download:")
        st.warning(t("erase_warning", lang))
        with st.form("erase-person"):
            sure = st.checkbox(t("erase_confirm", lang))
            if st.form_submit_button(t("erase_person", lang)) and sure:
                try:
                    counts = client.erase_tester(person["code"])
                except ApiError as exc:
                    show_problem(exc, lang)
                else:
                    for name in ("person", "person-export", "new_code"):
                        st.session_state.pop(name, None)
                    flash(t("erased", lang, count=sum(
                        int(v) for v in counts.values() if isinstance(v, int))))
                    st.rerun()


person = st.session_state.get("person")
if person is None:
    person_box(api)
    person = st.session_state.get("person")
if person is not None:
    if code := st.session_state.get("new_code"):
        st.success(t("new_code", lang, code=code), icon=":material/badge:")
    st.subheader(t("current_person", lang, pseudonym=person["pseudonym"]))
else:
    st.markdown(t("anonymous", lang))
if st.button(t("next_person", lang), icon=":material/person_add:"):
    for name in ("person", "person-export", "new_code"):
        st.session_state.pop(name, None)
    st.rerun()

try:
    running = api.public_pilots(limit=100)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not running:
    st.info(t("no_running_pilots", lang))
    st.stop()
titles = {p["id"]: p["title"] for p in running}
chosen = st.selectbox(t("pilot", lang), list(titles), format_func=titles.__getitem__,
                      key="desk-pilot")
pilot = next(p for p in running if p["id"] == chosen)
if person is not None:
    try:
        enrolled = {str(e["pilot_id"]) for e in api.tester_pilots(person["code"])["items"]
                    if not e["withdrawn_at"]}
    except ApiError as exc:
        show_problem(exc, lang)
        enrolled = set()
    if chosen not in enrolled:
        enroll_box(api, person, pilot)
    else:
        answers_box(api, person, pilot)
    rights_box(api, person)
else:
    answers_box(api, None, pilot)
