"""Terrain's router: the pages of the signed-in person's role, and the frame around them."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import frame
from ui.i18n import LANGS, Lang, t
from ui.session import cookie_script

HERE = Path(__file__).resolve().parent
PAGES = HERE / "app_pages"

# (file under app_pages/, url path, title key, icon) per area, in the order of the work.
PUBLIC = [("public/home.py", "home", "nav_home", ":material/home:"),
          ("public/pilots.py", "running", "nav_public_pilots", ":material/map:"),
          ("public/open_data.py", "open-data", "nav_open_data", ":material/dataset:")]
SIGN_IN = [("public/sign_in.py", "sign-in", "nav_sign_in", ":material/login:")]
ROLE_PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    "startup": [
        ("startup/prototypes.py", "prototypes", "nav_prototypes", ":material/science:"),
        ("startup/new_pilot.py", "new-pilot", "nav_new_pilot", ":material/add_location:"),
        ("shared/pilots.py", "pilots", "nav_pilots", ":material/list:"),
        ("startup/data_access.py", "data-access", "nav_data_access", ":material/key:"),
        ("startup/measurements.py", "measurements", "nav_measurements", ":material/upload:"),
        ("shared/evaluation.py", "evaluation", "nav_evaluation", ":material/insights:"),
    ],
    "city": [
        ("city/review.py", "review", "nav_review", ":material/gavel:"),
        ("shared/pilots.py", "pilots", "nav_portfolio", ":material/list:"),
        ("city/catalog.py", "catalog", "nav_catalog", ":material/map:"),
        ("shared/evaluation.py", "evaluation", "nav_evaluation", ":material/insights:"),
        ("city/access_log.py", "access-log", "nav_access_log", ":material/policy:"),
        ("city/consent.py", "consent", "nav_consent", ":material/handshake:"),
    ],
    "admin": [
        ("admin/users.py", "users", "nav_users", ":material/group:"),
        ("admin/directory.py", "directory", "nav_directory", ":material/domain:"),
        ("shared/pilots.py", "pilots", "nav_portfolio", ":material/list:"),
    ],
    "citizen": [("citizen/home.py", "my-space", "citizen_space", ":material/person:"),
                ("citizen/my_data.py", "my-data", "nav_my_data", ":material/folder_shared:")],
    "mediator": [("mediator/desk.py", "desk", "mediator_desk", ":material/support_agent:")],
}
SECTIONS = {"admin": "section_admin"}


def page(spec: tuple[str, str, str, str], lang: Lang, *, default: bool = False) -> st.Page:
    path, url, key, icon = spec
    return st.Page(PAGES / path, title=t(key, lang), icon=icon, url_path=url, default=default)


def pages_for(role: str | None, lang: Lang) -> dict[str, list[st.Page]]:
    """The navigation of a role: its workspace first, then the public pages.

    The home page is the default for everyone (the default page answers at `/` only, so a
    role's first page keeps its own address); signing in then opens the role's first page.
    """
    public = [page(PUBLIC[0], lang, default=True), *(page(spec, lang) for spec in PUBLIC[1:])]
    if role is None:
        return {"": [*public, page(SIGN_IN[0], lang)]}
    work = [page(spec, lang) for spec in ROLE_PAGES.get(role, [])]
    return {t(SECTIONS.get(role, "section_workspace"), lang): work,
            t("section_public", lang): public}


def menu(pages: dict[str, list[st.Page]]) -> None:
    """The navigation drawn by us: Streamlit's own sectioned menu puts headers straight in a
    `<ul>`, which screen readers (and axe-core) reject; links under plain captions do not."""
    for section, items in pages.items():
        if section:
            st.sidebar.caption(f"**{section}**")
        for item in items:
            st.sidebar.page_link(item, width="stretch")
    st.sidebar.divider()


def sidebar(lang: Lang) -> None:
    """The language switch, who is signed in, and the sign-out button."""
    chosen = st.sidebar.segmented_control(
        "Langue / Language", options=list(LANGS), key="lang",
        format_func=lambda v: frame.LANG_NAMES[v])
    if chosen is not None:
        frame.remember_lang(chosen)
    user = frame.user()
    if st.session_state.pop("ended", False):
        st.sidebar.info(t("session_ended", lang))
    if user is not None:
        st.sidebar.caption(t("signed_in_as", lang, email=user["email"],
                             role=t(f"role_{user['role']}", lang)))
        if st.sidebar.button(t("sign_out", lang), icon=":material/logout:"):
            frame.sign_out()
            st.rerun()
    pending = st.session_state.pop("cookie", None)
    if pending is not None:
        st.html(cookie_script(pending or None), unsafe_allow_javascript=True)


def main() -> None:
    st.set_page_config(page_title="Terrain", page_icon="🌿", layout="wide")
    if st.session_state.get("lang") is None:
        # French first; a click on the selected language unselects it: keep the last one
        st.session_state["lang"] = st.session_state.get("lang_kept", "fr")
    user = frame.user()  # restores a signed-in session after a reload, language included
    lang = frame.lang()
    st.session_state["lang_kept"] = lang
    pages = pages_for(str(user["role"]) if user else None, lang)
    navigation = st.navigation(pages, position="hidden")
    if st.session_state.pop("just_signed_in", False) and user is not None:
        st.switch_page(next(iter(pages.values()))[0])  # the cookie is set on the next run
    menu(pages)
    sidebar(lang)
    navigation.run()


main()
