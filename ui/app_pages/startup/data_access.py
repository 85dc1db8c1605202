"""Data access: the startup's grants, extract progress, links and temporary S3 credentials."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import status, t
from ui.widgets import show_problem, status_markdown

lang = frame.lang()
frame.require("startup")
st.title(t("nav_data_access", lang))
st.info(t("da_rules", lang), icon=":material/info:")
api = frame.client()

try:
    grants = api.grants(limit=200)["items"]
    pilots = {p["id"]: p["title"] for p in api.pilots(limit=200)["items"]}
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not grants:
    st.info(t("da_none", lang))


@st.fragment(run_every="3s")
def extract_progress(grant_id: str) -> None:
    """The extract being cut, refreshed until it is ready (then the page reloads)."""
    grant = api.grant(grant_id)
    st.progress(float(grant["extract_progress"]), text=t("da_building", lang))
    if grant["extract_status"] in ("ready", "failed"):
        st.rerun()


def credentials(grant: dict[str, Any]) -> None:
    issued = st.session_state.get(f"creds-{grant['id']}")
    if st.button(t("da_credentials", lang), key=f"creds-btn-{grant['id']}"):
        try:
            issued = api.grant_credentials(grant["id"])
        except ApiError as exc:
            show_problem(exc, lang)
            return
        st.session_state[f"creds-{grant['id']}"] = issued
    if issued:
        st.caption(t("da_expires", lang, at=issued["expires_at"][:16].replace("T", " ")))
        st.code(f"AWS_ACCESS_KEY_ID={issued['access_key_id']}\n"
                f"AWS_SECRET_ACCESS_KEY={issued['secret_access_key']}\n"
                f"AWS_SESSION_TOKEN={issued['session_token']}\n"
                f"AWS_ENDPOINT_URL={issued['endpoint']}", language="bash")
        tabs = st.tabs(list(issued["snippets"]))
        for tab, code in zip(tabs, issued["snippets"].values(), strict=True):
            tab.code(code, language="python")


for grant in grants:
    with st.container(border=True):
        st.subheader(pilots.get(grant["pilot_id"], grant["pilot_id"][:8]))
        st.markdown(status_markdown(grant["status"], lang) + " · "
                    + t("log_extract", lang, state=status(grant["extract_status"], lang)))
        st.write(t("log_scope", lang, zones=", ".join(grant["zones"]),
                   start=grant["window_start"][:10], end=grant["window_end"][:10],
                   expires=grant["expires_at"][:16].replace("T", " ")))
        st.caption(t("da_columns", lang, columns=", ".join(grant["columns"])))
        if grant["status"] != "active":
            continue
        if grant["extract_status"] in ("pending", "building"):
            extract_progress(grant["id"])
            continue
        if grant["extract_status"] == "failed":
            st.error(t("da_failed", lang))
            continue
        left, right = st.columns(2)
        with left:
            if st.button(t("da_links", lang), key=f"links-{grant['id']}"):
                try:
                    links = api.grant_links(grant["id"])
                except ApiError as exc:
                    show_problem(exc, lang)
                else:
                    for link in links["links"]:
                        st.link_button(link.get("name", "data"), link["url"],
                                       icon=":material/download:")
                    st.caption(t("da_expires", lang,
                                 at=links["expires_at"][:16].replace("T", " ")))
        with right:
            credentials(grant)
