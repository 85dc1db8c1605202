"""The citizen's space: joining a pilot by accepting its consent text, then giving feedback."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import streamlit as st

from ui import frame
from ui.app_pages.citizen.questionnaire import questionnaire_form, questionnaire_steps
from ui.app_pages.public.parts import find_pilot, zones_of
from ui.client import ApiClient, ApiError
from ui.i18n import status, t
from ui.widgets import attempt, flash, show_flash, show_problem

lang = frame.lang()
frame.require("citizen")
api = frame.client()
st.title(t("citizen_space", lang))
show_flash()


def join(client: ApiClient, pilot_id: str) -> None:
    """The consent text of the pilot the person chose on the map, and the accept button."""
    try:
        pilot = find_pilot(client, pilot_id)
    except ApiError as exc:
        show_problem(exc, lang)
        return
    if pilot is None:
        st.session_state.pop("join_pilot", None)
        st.info(t("pilot_not_found", lang))
        return
    st.subheader(t("join_pilot", lang, title=pilot["title"]))
    consent = pilot.get("consent")
    if not consent:
        st.info(t("no_consent_yet", lang))
        return
    st.markdown(f"**{t('consent_text', lang, version=consent['version'])}**")
    with st.container(border=True):
        st.write(consent[f"text_{lang}"])
    with st.form("consent"):
        agreed = st.checkbox(t("consent_read", lang))
        sent = st.form_submit_button(t("join", lang), type="primary")
    if sent and agreed:
        try:
            client.enroll(pilot_id, int(consent["version"]))
        except ApiError as exc:
            show_problem(exc, lang)
            return
        st.session_state.pop("join_pilot", None)
        flash(t("joined", lang, title=pilot["title"]))
        st.rerun()
    elif sent:
        st.warning(t("consent_read", lang))


def feedback(client: ApiClient, enrollment: dict[str, Any]) -> None:
    pilot_id = str(enrollment["pilot_id"])
    try:
        questionnaire = client.questionnaire(pilot_id)
    except ApiError as exc:
        show_problem(exc, lang)
        return
    try:
        zones = [str(z["code"]) for z in zones_of(find_pilot(client, pilot_id) or {})]
    except ApiError:
        zones = []
    round_ = st.session_state.setdefault(f"round:{pilot_id}", 0)
    key = f"feedback-{pilot_id}-{round_}"
    # one question per screen on a phone (or when asked); the whole form otherwise
    phone = "Mobi" in str(st.context.headers.get("User-Agent") or "")
    if st.toggle(t("one_at_a_time", lang), value=phone, key=f"stepper-{pilot_id}"):
        body, missing = questionnaire_steps(questionnaire, lang, key=key, zones=zones,
                                            submit_label=t("send_answers", lang))
    else:
        body, missing = questionnaire_form(questionnaire, lang, key=key, zones=zones,
                                           submit_label=t("send_answers", lang))
    if missing:
        st.error(t("answer_missing", lang, question=missing))
    if body is None:
        return
    # one key per filled form: a retry after a lost answer is stored once
    idempotency = st.session_state.setdefault(f"idem:{key}", str(uuid.uuid4()))
    try:
        receipt = client.submit_feedback(pilot_id, body, idempotency)
    except ApiError as exc:
        show_problem(exc, lang)
        return
    st.session_state[f"round:{pilot_id}"] = round_ + 1
    flash(t("feedback_sent", lang, receipt=str(receipt["id"])[:8]))
    st.rerun()


if pending := st.session_state.get("join_pilot"):
    join(api, str(pending))

st.header(t("my_pilots", lang))
try:
    mine = api.my_pilots()["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not mine:
    st.info(t("no_my_pilots", lang))
    st.page_link("app_pages/public/pilots.py", label=t("nav_public_pilots", lang),
                 icon=":material/map:")
for enrollment in mine:
    with st.container(border=True):
        st.subheader(enrollment["pilot_title"])
        st.markdown(t("pilot_state", lang, status=status(enrollment["pilot_status"], lang),
                     version=enrollment["consent_version"]))
        outcome = enrollment.get("outcome")
        if outcome and outcome.get(f"summary_{lang}"):
            st.markdown(f"**{t('city_summary', lang)}** — {outcome[f'summary_{lang}']}")
        if enrollment["withdrawn_at"]:
            st.markdown(t("withdrawn", lang))
            continue
        if enrollment["can_give_feedback"]:
            with st.expander(t("give_feedback", lang), expanded=True):
                feedback(api, enrollment)
        # withdrawing is one click away, but confirmed: it ends the person's participation
        with st.form(f"withdraw-{enrollment['pilot_id']}", border=False):
            sure = st.checkbox(t("withdraw_confirm", lang),
                               key=f"withdraw-sure-{enrollment['pilot_id']}")
            if st.form_submit_button(t("withdraw", lang)):
                if not sure:
                    st.warning(t("withdraw_tick", lang))
                else:
                    attempt(partial(api.withdraw, str(enrollment["pilot_id"])), lang,
                            done=t("withdrawn", lang))
