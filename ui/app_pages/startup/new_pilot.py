"""New pilot: a wizard saved as a draft at every step once the protocol holds together.

The API only stores complete protocols, so the steps fill the protocol in the session and
each "save" creates the draft (the first time it is complete) or updates it; every problem
the API finds is shown next to its field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from ui import frame
from ui.app_pages.startup.kpi_editor import kpi_editor
from ui.client import ApiError
from ui.i18n import flag, number, percent, t
from ui.widgets import (
    field_problems,
    last_problem,
    remember_problem,
    show_problem,
    status_markdown,
    territory_map,
)

STEPS = ["wiz_essentials", "wiz_territory", "wiz_periods", "wiz_kpis", "wiz_data", "wiz_review"]
KEY = "wizard"
FORM = "wizard-form"

lang = frame.lang()
frame.require("startup")
st.title(t("nav_new_pilot", lang))
api = frame.client()


def iso(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def day_of(value: str | None, default: date) -> date:
    return date.fromisoformat(value[:10]) if value else default


def blank() -> dict[str, Any]:
    today = date.today()
    return {"pilot_id": None, "status": None, "version": None, "prototype_id": None,
            "title": "", "public_summary": "",
            "protocol": {"hypothesis": "", "design": "did", "asset_ids": [],
                         "treated_zones": [], "control_zones": [],
                         "baseline": {"start": iso(today - timedelta(days=56)),
                                      "end": iso(today)},
                         "pilot": {"start": iso(today), "end": iso(today + timedelta(days=84))},
                         "kpis": [], "guardrails": [], "datasets": []}}


def load(pilot: dict[str, Any]) -> dict[str, Any]:
    return {"pilot_id": pilot["id"], "status": pilot["status"],
            "version": pilot["protocol_version"], "prototype_id": pilot["prototype_id"],
            "title": pilot["title"], "public_summary": pilot["public_summary"],
            "protocol": pilot["protocol"]}


def save(state: dict[str, Any], step: int) -> None:
    """Create the draft or update it; on success go to the next step."""
    body = {"title": state["title"], "public_summary": state["public_summary"],
            "protocol": state["protocol"]}
    try:
        if state["pilot_id"] is None:
            if not complete(state):
                st.session_state["wizard_step"] = step + 1
                return
            pilot = api.create_pilot({"prototype_id": state["prototype_id"], **body})
        else:
            pilot = api.update_pilot(state["pilot_id"], body)
    except ApiError as exc:
        remember_problem(FORM, exc)
        return
    remember_problem(FORM, None)
    st.session_state.pop("kpi-editor", None)
    st.session_state[KEY] = load(pilot)
    st.session_state["wizard_saved"] = True
    st.session_state["wizard_step"] = min(step + 1, len(STEPS) - 1)


def complete(state: dict[str, Any]) -> bool:
    protocol = state["protocol"]
    return bool(state["prototype_id"] and state["title"] and protocol["hypothesis"]
                and protocol["treated_zones"] and protocol["kpis"])


try:
    prototypes = api.prototypes(limit=100)["items"]
    drafts = [p for p in api.pilots(limit=200)["items"]
              if p["status"] in ("draft", "changes_requested")]
    zones = api.zones()
    assets = api.assets()
    datasets = api.datasets(limit=100)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not prototypes:
    st.info(t("wiz_no_prototype", lang))
    st.stop()

state: dict[str, Any] = st.session_state.setdefault(KEY, blank())
choices = {"": t("wiz_start_new", lang)} | {p["id"]: f"{p['title']} (v{p['protocol_version']})"
                                            for p in drafts}
picked = st.selectbox(t("wiz_resume", lang), list(choices), format_func=choices.__getitem__,
                      index=list(choices).index(state["pilot_id"])
                      if state["pilot_id"] in choices else 0)
if (picked or None) != state["pilot_id"]:
    st.session_state[KEY] = load(next(p for p in drafts if p["id"] == picked)) if picked \
        else blank()
    st.session_state["wizard_step"] = 0
    remember_problem(FORM, None)
    st.rerun()

if state["pilot_id"]:
    st.markdown(status_markdown(state["status"], lang) + " · "
                + t("version", lang, version=state["version"]))
if st.session_state.pop("wizard_saved", False):
    st.success(t("wiz_saved", lang), icon=":material/save:")

step = int(st.session_state.get("wizard_step", 0))
def power_preview(pilot_id: str | None) -> None:
    """How small an effect the protocol could detect, from the baseline data, before it is
    submitted: the place to add zones or days rather than run a pilot that cannot conclude."""
    if pilot_id is None:
        st.info(t("wiz_power_after_save", lang))
        return
    try:
        found = api.power(pilot_id)
    except ApiError as exc:
        show_problem(exc, lang)
        return
    if found.get("mde") is None:
        st.warning(flag(found.get("reason") or "", lang, found.get("reason_message")))
        return
    relative = found.get("relative_mde")
    size = percent(relative, lang) if isinstance(relative, int | float) else \
        number(found["mde"], lang)
    st.markdown(t("wiz_power_text", lang, kpi=found["kpi"], size=size,
                  treated=found["n_treated"], control=found["n_control"], pre=found["n_pre"],
                  post=found["n_post"]))
    if found.get("detectable") is True:
        st.success(t("wiz_power_ok", lang, minimum=percent(found["minimum_effect"], lang)))
    elif found.get("detectable") is False:
        st.warning(t("wiz_power_short", lang, minimum=percent(found["minimum_effect"], lang)))
    for code in found.get("warnings") or []:
        st.caption(flag(code, lang))


step = st.segmented_control(t("wiz_step", lang), range(len(STEPS)), default=step,
                            format_func=lambda i: f"{i + 1}. {t(STEPS[i], lang)}",
                            key=f"wizard-steps-{step}") or 0
st.session_state["wizard_step"] = step
problem = last_problem(FORM)
protocol = state["protocol"]
zone_codes = [z["code"] for z in zones]
by_dataset = {d["id"]: d for d in datasets}

if step == 0:
    with st.form(FORM):
        names = {p["id"]: p["name"] for p in prototypes}
        state["prototype_id"] = st.selectbox(
            t("wiz_prototype", lang), list(names), format_func=names.__getitem__,
            index=list(names).index(state["prototype_id"]) if state["prototype_id"] in names
            else 0, disabled=state["pilot_id"] is not None)
        state["title"] = st.text_input(t("wiz_title", lang), state["title"])
        field_problems(problem, "title")
        state["public_summary"] = st.text_area(t("wiz_summary", lang), state["public_summary"],
                                               help=t("wiz_summary_help", lang))
        protocol["hypothesis"] = st.text_area(t("hypothesis", lang), protocol["hypothesis"],
                                              help=t("wiz_hypothesis_help", lang))
        field_problems(problem, "hypothesis")
        designs = ["did", "synthetic_control", "before_after", "ab"]
        protocol["design"] = st.radio(t("wiz_design", lang), designs,
                                      index=designs.index(protocol["design"]),
                                      format_func=lambda d: t(f"design_{d}", lang))
        submitted = st.form_submit_button(t("wiz_save_next", lang), type="primary")
elif step == 1:
    # Outside a form: each choice redraws the map at once (treated and control coloured).
    on_map = st.container()
    which = state["pilot_id"] or "new"
    protocol["treated_zones"] = st.multiselect(t("wiz_treated", lang), zone_codes,
                                               placeholder=t("choose", lang),
                                               default=[c for c in protocol["treated_zones"]
                                                        if c in zone_codes],
                                               key=f"wiz-treated-{which}")
    field_problems(problem, "treated_zones")
    protocol["control_zones"] = st.multiselect(t("wiz_control", lang), zone_codes,
                                               placeholder=t("choose", lang),
                                               default=[c for c in protocol["control_zones"]
                                                        if c in zone_codes],
                                               key=f"wiz-control-{which}")
    field_problems(problem, "control_zones")
    labels = {a["id"]: f"{a.get('name') or a['id'][:8]} ({a.get('zone_code') or '—'})"
              for a in assets}
    protocol["asset_ids"] = st.multiselect(t("wiz_assets", lang), list(labels),
                                           placeholder=t("choose", lang),
                                           default=[a for a in protocol["asset_ids"]
                                                    if a in labels],
                                           format_func=labels.__getitem__,
                                           key=f"wiz-assets-{which}")
    submitted = st.button(t("wiz_save_next", lang), type="primary")
    roles = {c: "treated" for c in protocol["treated_zones"]}
    roles |= {c: "control" for c in protocol["control_zones"]}
    chosen_assets = [a for a in assets if a["id"] in protocol["asset_ids"]]
    with on_map:
        territory_map(zones, chosen_assets or assets, lang, roles=roles, key="wizard-map")
elif step == 2:
    with st.form(FORM):
        left, right = st.columns(2)
        left.markdown(f"**{t('wiz_baseline', lang)}**")
        b_start = left.date_input(t("wiz_from", lang), day_of(protocol["baseline"]["start"],
                                                             date.today()), key="b-start")
        b_end = left.date_input(t("wiz_to", lang), day_of(protocol["baseline"]["end"],
                                                         date.today()), key="b-end")
        right.markdown(f"**{t('wiz_pilot_period', lang)}**")
        p_start = right.date_input(t("wiz_from", lang), day_of(protocol["pilot"]["start"],
                                                              date.today()), key="p-start")
        p_end = right.date_input(t("wiz_to", lang), day_of(protocol["pilot"]["end"],
                                                          date.today()), key="p-end")
        field_problems(problem, "baseline")
        field_problems(problem, "pilot")
        protocol["baseline"] = {"start": iso(b_start), "end": iso(b_end)}
        protocol["pilot"] = {"start": iso(p_start), "end": iso(p_end)}
        submitted = st.form_submit_button(t("wiz_save_next", lang), type="primary")
elif step == 3:
    with st.form(FORM):
        protocol["kpis"] = kpi_editor(protocol["kpis"], datasets, lang)
        field_problems(problem, "kpis")
        submitted = st.form_submit_button(t("wiz_save_next", lang), type="primary")
elif step == 4:
    with st.form(FORM):
        requests = {r["dataset_id"]: r for r in protocol["datasets"]}
        wanted = []
        for dataset in datasets:
            current = requests.get(dataset["id"])
            if st.checkbox(dataset["name"], value=current is not None, key=f"ds-{dataset['id']}"):
                columns = st.text_input(t("wiz_columns", lang), key=f"cols-{dataset['id']}",
                                        value=", ".join(current["columns"]) if current else "",
                                        help=t("wiz_columns_help", lang))
                wanted.append({"dataset_id": dataset["id"],
                               "columns": [c.strip() for c in columns.split(",") if c.strip()],
                               "zones": protocol["treated_zones"] + protocol["control_zones"],
                               "window": {"start": protocol["baseline"]["start"],
                                          "end": protocol["pilot"]["end"]},
                               "purpose": current.get("purpose", "") if current else ""})
        if not datasets:
            st.info(t("wiz_no_datasets", lang))
        protocol["datasets"] = wanted
        field_problems(problem, "datasets")
        submitted = st.form_submit_button(t("wiz_save_next", lang), type="primary")
else:
    submitted = False
    st.subheader(t("wiz_power", lang))
    power_preview(state["pilot_id"])
    st.subheader(t("wiz_protocol", lang))
    st.json(protocol, expanded=False)
    if state["pilot_id"] is None:
        st.warning(t("wiz_incomplete", lang))
    elif st.button(t("wiz_submit", lang), type="primary"):
        try:
            pilot = api.submit_pilot(state["pilot_id"])
        except ApiError as exc:
            remember_problem(FORM, exc)
        else:
            st.session_state[KEY] = load(pilot)
            st.session_state["flash"] = t("wiz_submitted", lang)
        st.rerun()

if problem is not None:
    show_problem(problem, lang, fields=["title", "hypothesis", "treated_zones", "control_zones",
                                        "baseline", "pilot", "kpis", "datasets"])
if submitted:
    save(state, step)
    st.rerun()
if st.session_state.get("flash"):
    st.success(st.session_state.pop("flash"))
