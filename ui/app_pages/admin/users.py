"""Users: create an account of any role, disable or enable one."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import (
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
    left, middle, right = st.columns([4, 3, 2], vertical_alignment="center")
    left.markdown(f"**{user['email']}**  \n{user.get('full_name') or ''}")
    middle.write(f"{t('role_' + user['role'], lang)} · {where}" if where
                 else t("role_" + user["role"], lang))
    if user["id"] == me["id"]:
        right.caption(t("user_you", lang))
        continue
    label = t("user_disable" if user["is_active"] else "user_enable", lang)
    if right.button(label, key=f"active-{user['id']}",
                    type="secondary" if user["is_active"] else "primary"):
        try:
            api.update_user(user["id"], {"is_active": not user["is_active"]})
        except ApiError as exc:
            show_problem(exc, lang)
        else:
            flash(t("user_updated", lang, email=user["email"]))
            st.rerun()
