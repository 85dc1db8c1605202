"""Prototypes: the startup's list, a new one, and editing (domain, readiness, description)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import (
    field_problems,
    flash,
    last_problem,
    remember_problem,
    show_flash,
    show_problem,
)

FIELDS = ["name", "domain", "readiness_level", "description", "contact_name", "contact_email"]

lang = frame.lang()
frame.require("startup")
st.title(t("nav_prototypes", lang))
show_flash()
api = frame.client()


def prototype_form(key: str, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fields of a prototype, each with the API's problems under it; the body on submit."""
    problem = last_problem(key)
    values = current or {}
    with st.form(key):
        name = st.text_input(t("proto_name", lang), value=values.get("name", ""))
        field_problems(problem, "name")
        left, right = st.columns(2)
        domain = left.text_input(t("proto_domain", lang), value=values.get("domain", ""),
                                 help=t("proto_domain_help", lang))
        with left:
            field_problems(problem, "domain")
        level = right.slider(t("proto_trl", lang), 1, 9, int(values.get("readiness_level", 5)),
                             help=t("proto_trl_help", lang))
        description = st.text_area(t("proto_description", lang),
                                   value=values.get("description", ""))
        field_problems(problem, "description")
        left, right = st.columns(2)
        contact = left.text_input(t("proto_contact", lang), value=values.get("contact_name", ""))
        with left:
            field_problems(problem, "contact_name")
        email = right.text_input(t("email", lang), value=values.get("contact_email", ""))
        with right:
            field_problems(problem, "contact_email")
        if problem is not None:
            show_problem(problem, lang, fields=FIELDS)
        if not st.form_submit_button(t("save", lang), type="primary"):
            return None
    return {"name": name, "domain": domain, "readiness_level": level,
            "description": description, "contact_name": contact, "contact_email": email}


def save(key: str, body: dict[str, Any], prototype_id: str | None) -> None:
    try:
        if prototype_id is None:
            api.create_prototype(body)
        else:
            api.update_prototype(prototype_id, body)
    except ApiError as exc:
        remember_problem(key, exc)
    else:
        remember_problem(key, None)
        flash(t("saved", lang))
    st.rerun()


try:
    page = api.prototypes(limit=100)
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

with st.expander(t("proto_new", lang), expanded=not page["items"], icon=":material/add:"):
    body = prototype_form("proto-new", None)
    if body is not None:
        save("proto-new", body, None)

if not page["items"]:
    st.info(t("proto_none", lang))
for prototype in page["items"]:
    with st.expander(f"{prototype['name']} · {prototype['domain']} · "
                     f"{t('proto_trl_short', lang, level=prototype['readiness_level'])}"):
        st.write(prototype["description"] or "—")
        st.caption(f"{prototype['contact_name']} · {prototype['contact_email']}")
        if st.toggle(t("edit", lang), key=f"edit-{prototype['id']}"):
            key = f"proto-{prototype['id']}"
            body = prototype_form(key, prototype)
            if body is not None:
                save(key, body, prototype["id"])
