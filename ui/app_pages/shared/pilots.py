"""Pilots: a startup's own, every pilot an authority is involved in, all for the admin."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.app_pages.shared.pilot_detail import render
from ui.client import ApiError
from ui.i18n import STATUSES, colon, percent, status, t
from ui.widgets import paginate, show_problem

PILOT_STATUSES = ["draft", "submitted", "changes_requested", "approved", "rejected", "running",
                  "suspended", "completed", "evaluated"]
LIMIT = 20

lang = frame.lang()
user = frame.require("startup", "city", "admin")
st.title(t("nav_pilots" if user["role"] == "startup" else "nav_portfolio", lang))
api = frame.client()

chosen = st.pills(t("status_label", lang), PILOT_STATUSES, selection_mode="multi",
                  format_func=lambda s: STATUSES[s][lang], key="pilot-status")
try:
    page = api.pilots(status=chosen[0] if len(chosen) == 1 else None, limit=200)
    organizations = {o["id"]: o["name"] for o in api.organizations(limit=200)["items"]}
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
everything = page["items"]


def authorities_of(pilot: dict[str, Any]) -> set[str]:
    return {a["authority_name"] for a in pilot.get("approvals") or []}


by_startup, by_authority = st.columns(2)
startups = sorted({organizations.get(p["organization_id"], "") for p in everything} - {""})
startup = by_startup.selectbox(t("filter_startup", lang), [None, *startups],
                               format_func=lambda o: t("filter_all", lang) if o is None else o,
                               key="pilot-startup") if user["role"] != "startup" else None
names = sorted(set().union(*(authorities_of(p) for p in everything))) if everything else []
authority = by_authority.selectbox(t("filter_authority", lang), [None, *names],
                                   format_func=lambda a: t("filter_all", lang) if a is None
                                   else a, key="pilot-authority")
items = [p for p in everything if (not chosen or p["status"] in chosen)
         and (startup is None or organizations.get(p["organization_id"]) == startup)
         and (authority is None or authority in authorities_of(p))]
counts = {s: sum(1 for p in items if p["status"] == s) for s in PILOT_STATUSES}
st.caption(" · ".join(f"{status(s, lang)}{colon(lang)}{n}" for s, n in counts.items() if n))


def at_a_glance(pilot: dict[str, Any]) -> str:
    """For an evaluated pilot, the recommendation and the primary KPI's effect."""
    if pilot["status"] != "evaluated":
        return ""
    try:
        latest = api.evaluations(pilot["id"], limit=1)["items"]
    except ApiError:
        return ""
    results = (latest[0].get("results") or {}) if latest else {}
    verdict = results.get("recommendation") or (latest[0].get("recommendation")
                                                if latest else None)
    primary = ((results.get("kpis") or {}).get(results.get("primary_kpi", "")) or {})
    effect = primary.get("result") or {}
    parts = [t(f"verdict_{verdict}", lang)] if verdict in ("scale_up", "iterate", "stop") else []
    if isinstance(effect.get("relative_effect"), int | float) and isinstance(
            effect.get("relative_ci_low"), int | float):
        parts.append(t("glance_effect", lang, kpi=results.get("primary_kpi", ""),
                       effect=percent(effect["relative_effect"], lang, signed=True),
                       low=percent(effect["relative_ci_low"], lang, signed=True),
                       high=percent(effect["relative_ci_high"], lang, signed=True)))
    return " — " + " · ".join(parts) if parts else ""


if not items:
    st.info(t("no_pilots" if not everything else "no_pilots_filtered", lang))
offset = paginate("pilots", len(items), LIMIT, lang)
zones = api.zones()
for pilot in items[offset:offset + LIMIT]:
    with st.expander(f"{pilot['title']} — {status(pilot['status'], lang)}{at_a_glance(pilot)}"):
        render(api, pilot, str(user["role"]), lang, zones)
