"""The living lab's public map, and one pilot's page (`?pilot=<id>`): no account needed."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.app_pages.public import parts
from ui.client import ApiClient, ApiError
from ui.i18n import t
from ui.widgets import show_problem

lang = frame.lang()
api = frame.client()


def places_for(client: ApiClient, pilot_id: str | None = None) -> list[dict[str, Any]]:
    try:
        return list(client.public_places(pilot_id=pilot_id)["items"])
    except ApiError:
        return []  # the map still shows the pilots


def take_part(pilot: dict[str, Any]) -> None:
    """Signed out: to sign-up/sign-in, then consent; a citizen: straight to the consent."""
    if not (pilot.get("how_to_take_part") or {}).get("open"):
        return
    st.markdown(t("take_part_hint", lang))
    if st.button(t("take_part", lang), type="primary", icon=":material/how_to_reg:"):
        st.session_state["join_pilot"] = pilot["id"]
        st.query_params.clear()
        role = frame.role()
        if role == "citizen":
            st.switch_page("app_pages/citizen/home.py")
        elif role is None:
            st.switch_page("app_pages/public/sign_in.py")
        else:
            st.error(t("not_for_role", lang))


def pilot_page(pilot_id: str) -> None:
    if st.button(t("back_to_map", lang), icon=":material/arrow_back:"):
        st.query_params.clear()
        st.rerun()
    try:
        pilot = parts.find_pilot(api, pilot_id)
    except ApiError as exc:
        pilot = None
        show_problem(exc, lang)
    try:
        result = api.public_result(pilot_id)
    except ApiError:
        result = None
    if pilot is None and result is None:
        st.title(t("nav_public_pilots", lang))
        st.info(t("pilot_not_found", lang))
        return
    st.title(pilot["title"] if pilot else result["title"])  # type: ignore[index]
    if pilot is not None:
        places = places_for(api, pilot_id)
        parts.pilot_details(pilot, places, lang)
        take_part(pilot)
    if result is not None:
        st.subheader(t("results", lang))
        parts.result_block(result, lang)
    if pilot is not None:
        parts.report_form(api, pilot_id, lang)
    parts.follow_box(api, lang)


def map_page() -> None:
    st.title(t("running_pilots", lang))
    st.write(t("map_intro", lang))
    try:
        everything = api.public_pilots(limit=100)["items"]
    except ApiError as exc:
        show_problem(exc, lang)
        st.stop()
    if not everything:
        st.info(t("empty_next", lang), icon=":material/schedule:")
        parts.follow_box(api, lang)
        return
    authorities = {a["id"]: a["name"] for p in everything for a in p.get("authorities") or []}
    domains = sorted({parts.domain_of(p) for p in everything} - {""})
    columns = st.columns([2, 1, 1])
    near = columns[0].text_input(t("near_me", lang), max_chars=100, key="near")
    authority = columns[1].selectbox(
        t("filter_commune", lang), [None, *sorted(authorities, key=authorities.__getitem__)],
        format_func=lambda a: t("filter_all", lang) if a is None else authorities[a],
        disabled=not authorities)
    domain = columns[2].selectbox(
        t("filter_domain", lang), [None, *domains], disabled=not domains,
        format_func=lambda d: t("filter_all", lang) if d is None else parts.domain_name(d, lang))
    pilots = everything
    if near.strip() or authority or domain:
        try:
            pilots = api.public_pilots_filtered(q=near.strip(), authority=authority,
                                                domain=domain, limit=100)["items"]
        except ApiError as exc:
            show_problem(exc, lang)
            pilots = []
    if not pilots:
        st.info(t("no_match", lang))
        return
    wanted = {p["id"] for p in pilots}
    places = [p for p in places_for(api) if not p.get("pilot_ids")
              or wanted & {str(i) for i in p["pilot_ids"]}]
    on_map, beside = st.columns([3, 2])
    with on_map:
        parts.living_lab_map(pilots, places, lang)
    with beside:
        for pilot in pilots:
            with st.container(border=True):
                st.markdown(f"**{pilot['title']}**")
                domain_text = parts.domain_name(parts.domain_of(pilot), lang)
                where = ", ".join(str(z.get("name") or z.get("code"))
                                  for z in parts.zones_of(pilot)[:4])
                st.markdown(" · ".join(x for x in (
                    domain_text if parts.domain_of(pilot) else "", where,
                    t("until", lang, date=parts.day(pilot.get("ends_at")))) if x))
                st.write(pilot.get("summary", ""))
                if st.button(t("open_pilot", lang, title=pilot["title"]),
                             key=f"open-{pilot['id']}"):
                    st.query_params["pilot"] = pilot["id"]
                    st.rerun()


chosen = st.query_params.get("pilot")
if chosen:
    pilot_page(chosen)
else:
    map_page()
