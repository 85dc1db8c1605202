"""Measurements: the startup's own readings for KPIs measured by upload; list and upload."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import status, t
from ui.widgets import flash, show_flash, show_problem

lang = frame.lang()
frame.require("startup")
st.title(t("nav_measurements", lang))
show_flash()
api = frame.client()

try:
    pilots = [p for p in api.pilots(limit=200)["items"]
              if p["status"] in ("approved", "running", "completed")]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not pilots:
    st.info(t("ms_no_pilot", lang))
    st.stop()
by_id = {p["id"]: p for p in pilots}
pilot_id = st.selectbox(t("log_pilot", lang), list(by_id),
                        format_func=lambda i: f"{by_id[i]['title']} "
                                              f"({status(by_id[i]['status'], lang)})")
protocol = by_id[pilot_id]["protocol"]
uploadable = [k["name"] for k in protocol["kpis"] + protocol.get("guardrails", [])
              if k["source"]["kind"] == "measurement"]

if not uploadable:
    st.info(t("ms_none_by_upload", lang))
else:
    st.caption(t("ms_contract", lang))
    with st.form("measurement"):
        kpi = st.selectbox(t("chart_kpi", lang), uploadable)
        upload = st.file_uploader(t("ms_file", lang), type=["csv", "parquet"])
        if st.form_submit_button(t("cat_upload", lang), type="primary") and upload is not None:
            try:
                done = api.upload_measurement(pilot_id, kpi, upload.name, upload)
            except ApiError as exc:
                show_problem(exc, lang)
            else:
                flash(t("ms_uploaded", lang, rows=done["rows"], kpi=kpi))
                st.rerun()

try:
    rows = api.measurements(pilot_id, limit=200)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not rows:
    st.info(t("ms_none", lang))
else:
    st.dataframe([{t("chart_kpi", lang): m["kpi"], t("ms_file", lang): m.get("filename") or "",
                   t("ms_rows", lang): m["rows"], t("ms_zones", lang): ", ".join(m["zones"])}
                  for m in rows], hide_index=True, width="stretch")
st.caption(t("ms_replace_soon", lang))
