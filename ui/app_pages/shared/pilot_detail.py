"""One pilot in full: status and its history, approvals, the frozen protocol and its hash."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.client import ApiClient, ApiError
from ui.i18n import TEXTS, Lang, colon, number, status, t
from ui.widgets import status_markdown, territory_map

MILESTONES = [("created_at", "draft"), ("submitted_at", "submitted"),
              ("approved_at", "approved"), ("started_at", "running"),
              ("completed_at", "completed")]


def when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "—"


def history(api: ApiClient, pilot: dict[str, Any], role: str, lang: Lang) -> None:
    """Every step of the pilot with who, when and why (the API's history, for every role that
    sees the pilot); the milestones when it cannot be read."""
    rows: list[dict[str, str]] = []
    try:
        entries = api.history(pilot["id"], limit=200)["items"]
    except ApiError:
        entries = []
    for entry in entries:
        who = entry.get("actor_name") or t("col_platform", lang)
        if entry.get("actor_affiliation"):
            who += f" ({entry['actor_affiliation']})"
        rows.append({t("col_when", lang): when(entry["at"]),
                     t("col_what", lang): action(entry["action"], lang),
                     t("status_label", lang): status(str(entry["to_status"]), lang)
                     if entry.get("to_status") else "",
                     t("col_who", lang): who,
                     t("col_reason", lang): entry.get("reason") or ""})
    if not rows:
        rows = [{t("col_when", lang): when(pilot.get(field)),
                 t("col_what", lang): status(state, lang)}
                for field, state in MILESTONES if pilot.get(field)]
    st.dataframe(rows, hide_index=True, width="stretch")


def action(name: str, lang: Lang) -> str:
    key = "act_" + name.replace(".", "_")
    return t(key, lang) if key in TEXTS else name


def approvals(pilot: dict[str, Any], lang: Lang) -> None:
    rows = [{t("col_authority", lang): a["authority_name"],
             t("col_version", lang): a["protocol_version"],
             t("col_decision", lang): status(a["decision"], lang),
             t("comment", lang): a.get("comment") or "",
             t("col_when", lang): when(a.get("decided_at"))} for a in pilot["approvals"]]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    if pilot["pending_authorities"]:
        st.write(f"**{t('pending', lang)}**{colon(lang)}{', '.join(pilot['pending_authorities'])}")


def protocol(pilot: dict[str, Any], lang: Lang, zones: list[dict[str, Any]] | None) -> None:
    spec = pilot["protocol"]
    if pilot.get("protocol_hash"):
        st.caption(t("frozen_protocol", lang, version=pilot["approved_protocol_version"]
                     or pilot["protocol_version"]))
        st.code(pilot["protocol_hash"], language=None)
    st.write(f"**{t('hypothesis', lang)}**{colon(lang)}{spec['hypothesis']}")
    st.write(f"**{t('wiz_design', lang)}**{colon(lang)}{t('design_' + spec['design'], lang)}")
    sep = colon(lang)
    st.write(f"**{t('wiz_baseline', lang)}**{sep}{when(spec['baseline']['start'])[:10]} → "
             f"{when(spec['baseline']['end'])[:10]} · **{t('wiz_pilot_period', lang)}**{sep}"
             f"{when(spec['pilot']['start'])[:10]} → {when(spec['pilot']['end'])[:10]}")
    kpis = [{t("kpi_name", lang): k["name"], t("kpi_label", lang): k.get("label", ""),
             t("kpi_direction", lang): t(f"dir_{k['direction']}", lang),
             t("kpi_minimum", lang): number(100 * k["minimum_effect"], lang, ".1f"),
             t("kpi_threshold", lang): number(100 * k["success_threshold"], lang, ".1f"),
             t("kpi_primary", lang): t("yes" if k.get("primary") else "no", lang)}
            for k in spec["kpis"]]
    st.dataframe(kpis, hide_index=True, width="stretch")
    if spec.get("datasets"):
        st.write(f"**{t('wiz_data', lang)}**{colon(lang)}" + "; ".join(
            f"{', '.join(r['columns'])} ({', '.join(r['zones'])})" for r in spec["datasets"]))
    if zones is not None:
        roles = {c: "treated" for c in spec["treated_zones"]}
        roles |= {c: "control" for c in spec["control_zones"]}
        mine = [z for z in zones if z["code"] in roles]
        territory_map(mine, [], lang, roles=roles, height=320, key=f"map-{pilot['id']}")


def render(api: ApiClient, pilot: dict[str, Any], role: str, lang: Lang,
           zones: list[dict[str, Any]] | None = None) -> None:
    """Everything about one pilot, in tabs."""
    st.markdown(status_markdown(pilot["status"], lang) + " · "
                + t("version", lang, version=pilot["protocol_version"]))
    tabs = st.tabs([t("tab_protocol", lang), t("tab_approvals", lang), t("tab_history", lang)])
    with tabs[0]:
        protocol(pilot, lang, zones)
    with tabs[1]:
        approvals(pilot, lang)
    with tabs[2]:
        history(api, pilot, role, lang)
