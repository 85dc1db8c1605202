"""Users: create an account of any role, change its role, disable or enable it."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import (
    attempt,
    field_problems,
    flash,
    last_problem,
    paginate,
    remember_problem,
    show_flash,
    show_problem,
)

ROLES = ["city", "startup", "mediator", "citizen", "admin"]
LIMIT = 50
FORM = "user-new"

lang = frame.lang()
me = frame.require("admin")
st.title(t("nav_users", lang))
show_flash()
api = frame.client()

try:
    authorities = {a["id"]: a["name"] for a in api.authorities(limit=200)["items"]}
    organizations = {o["id"]: o["name"] for o in api.organizations(limit=200)["items"]}
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

with st.expander(t("user_new", lang), icon=":material/person_add:", key="user-new"):
    problem = last_problem(FORM)
    role = st.selectbox(t("user_role", lang), ROLES, format_func=lambda r: t(f"role_{r}", lang))
    with st.form(FORM):
        email = st.text_input(t("email", lang))
        field_problems(problem, "email")
        name = st.text_input(t("user_name", lang))
        password = st.text_input(t("password", lang), type="password",
                                 help=t("user_password_help", lang))
        field_problems(problem, "password")
        authority = organization = None
        if role in ("city", "mediator"):
            authority = st.selectbox(t("col_authority", lang), list(authorities),
                                     format_func=authorities.__getitem__)
        if role == "startup":
            organization = st.selectbox(t("user_organization", lang), list(organizations),
                                        format_func=organizations.__getitem__)
        if problem is not None:
            show_problem(problem, lang, fields=["email", "password"])
        if st.form_submit_button(t("user_create", lang), type="primary"):
            try:
                api.create_user({"email": email, "full_name": name, "role": role,
                                 "password": password, "authority_id": authority,
                                 "organization_id": organization})
            except ApiError as exc:
                remember_problem(FORM, exc)
            else:
                remember_problem(FORM, None)
                flash(t("user_created", lang, email=email))
            st.rerun()

def role_form(user: dict[str, Any]) -> None:
    """Another role, with the authority or organization it needs; tokens end at once."""
    roles = [r for r in ROLES if r != "citizen"]
    key = f"role-{user['id']}"
    role = st.selectbox(t("user_role", lang), roles, index=roles.index(user["role"]),
                        format_func=lambda r: t(f"role_{r}", lang), key=key)
    body: dict[str, Any] = {"role": role}
    if role in ("city", "mediator") and authorities:
        ids = list(authorities)
        body["authority_id"] = st.selectbox(
            t("col_authority", lang), ids, format_func=authorities.__getitem__,
            index=ids.index(user["authority_id"]) if user.get("authority_id") in ids else 0,
            key=f"{key}-authority")
    if role == "startup" and organizations:
        ids = list(organizations)
        body["organization_id"] = st.selectbox(
            t("user_organization", lang), ids, format_func=organizations.__getitem__,
            index=ids.index(user["organization_id"]) if user.get("organization_id") in ids
            else 0, key=f"{key}-organization")
    st.caption(t("user_role_tokens", lang))
    if st.button(t("save", lang), key=f"{key}-save", type="primary"):
        attempt(lambda: api.update_user(user["id"], body), lang,
                done=t("user_updated", lang, email=user["email"]))


shown = st.pills(t("user_role", lang), ROLES, format_func=lambda r: t(f"role_{r}", lang),
                 key="user-role-filter")
try:
    total = api.users(role=shown, limit=1)["total"]
    offset = paginate("users", total, LIMIT, lang)
    users = api.users(role=shown, limit=LIMIT, offset=offset)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

for user in users:
    where = authorities.get(user.get("authority_id") or "") or \
        organizations.get(user.get("organization_id") or "") or ""
    left, middle, edit, right = st.columns([4, 3, 2, 2], vertical_alignment="center")
    left.markdown(f"**{user['email']}**  \n{user.get('full_name') or ''}")
    middle.write(f"{t('role_' + user['role'], lang)} · {where}" if where
                 else t("role_" + user["role"], lang))
    if user["id"] == me["id"]:
        right.caption(t("user_you", lang))
        continue
    if user["role"] != "citizen":  # citizens' accounts come from sign-up and stay citizens
        with edit.popover(t("user_change_role", lang), icon=":material/badge:"):
            role_form(user)
    label = t("user_disable" if user["is_active"] else "user_enable", lang)
    if right.button(label, key=f"active-{user['id']}",
                    type="secondary" if user["is_active"] else "primary"):
        change = {"is_active": not user["is_active"]}
        attempt(partial(api.update_user, user["id"], change), lang,
                done=t("user_updated", lang, email=user["email"]))
