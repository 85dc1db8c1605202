"""Evaluation: run it, follow it, read the results (startup, city team, admin alike)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import TEXTS, Lang, flag, number, percent, reason, status, t
from ui.widgets import forest_plot, job_progress, series_chart, show_problem, status_markdown

lang = frame.lang()
user = frame.require("startup", "city", "admin")
st.title(t("nav_evaluation", lang))
api = frame.client()

try:
    pilots = [p for p in api.pilots(limit=200)["items"]
              if p["status"] in ("running", "completed", "evaluated", "suspended")]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not pilots:
    st.info(t("eval_no_pilot", lang))
    st.stop()
# evaluated pilots first: the page opens on results to read, not on an empty one
ORDER = {"evaluated": 0, "completed": 1, "running": 2, "suspended": 3}
pilots.sort(key=lambda p: ORDER[p["status"]])
by_id = {p["id"]: p for p in pilots}
pilot_id = st.selectbox(t("log_pilot", lang), list(by_id),
                        format_func=lambda i: f"{by_id[i]['title']} "
                                              f"({status(by_id[i]['status'], lang)})")
pilot = by_id[pilot_id]



def results_view(evaluation: dict[str, Any], lang: Lang) -> None:
    results = evaluation["results"] or {}
    verdict = results.get("recommendation") or evaluation.get("recommendation") or "iterate"
    st.subheader(t("eval_recommendation", lang))
    (st.success if verdict == "scale_up" else st.warning if verdict == "iterate"
     else st.error)(t(f"verdict_{verdict}", lang) if f"verdict_{verdict}" in VERDICTS
                    else verdict)
    for why in results.get("reason_codes") or results.get("reasons", []):
        st.caption(reason(why, lang))
    if evaluation.get("exploratory"):
        st.info(t("eval_exploratory", lang))
    rows = []
    for name, entry in (results.get("kpis") or {}).items():
        result = entry.get("result") or {}
        if result.get("relative_ci_low") is None:
            continue
        rows.append({"kpi": entry.get("label") or name,
                     "effect": 100 * result["relative_effect"],
                     "low": 100 * result["relative_ci_low"],
                     "high": 100 * result["relative_ci_high"]})
    primary = (results.get("kpis") or {}).get(results.get("primary_kpi", ""), {})
    minimum = (primary.get("criteria") or {}).get("minimum_effect")
    if rows:
        st.altair_chart(forest_plot(rows, title=t("eval_forest", lang),
                                    x_title=t("eval_effect_axis", lang), lang=lang,
                                    minimum=100 * minimum if minimum else None),
                        width="stretch")
    kpi_series(evaluation)
    table = []
    for name, entry in (results.get("kpis") or {}).items():
        result = entry.get("result") or {}
        table.append({t("chart_kpi", lang): entry.get("label") or name,
                      t("eval_effect", lang): percent(result.get("relative_effect"), lang,
                                                     signed=True),
                      t("eval_interval", lang): t(
                          "eval_interval_value", lang,
                          low=percent(result.get("relative_ci_low"), lang, signed=True),
                          high=percent(result.get("relative_ci_high"), lang, signed=True)),
                      t("eval_p", lang): number(result["p_value"], lang, ".3f")
                      if isinstance(result.get("p_value"), float) else "—",
                      t("eval_method", lang): design_name(result.get("design"), lang)})
    st.dataframe(table, hide_index=True, width="stretch")
    flags = results.get("quality_flags") or []
    st.subheader(t("eval_quality", lang))
    if not flags:
        st.write(t("eval_no_flags", lang))
    for code in flags:
        st.warning(flag(code, lang), icon=":material/report:")
    feedback = results.get("feedback") or {}
    if feedback:
        st.subheader(t("eval_feedback", lang))
        respondents = feedback.get("respondents")
        count = respondents.get("value") if isinstance(respondents, dict) else respondents
        if count is None:  # too few people to show a number without exposing them
            st.write(t("eval_respondents_withheld", lang))
        else:
            st.write(t("eval_respondents", lang, n=count))
    report = api.report(pilot_id, evaluation["id"], "html")
    st.download_button(t("eval_report", lang), report, file_name="rapport.html"
                       if lang == "fr" else "report.html", mime="text/html",
                       icon=":material/download:")


VERDICTS = {"verdict_scale_up", "verdict_iterate", "verdict_stop"}


def design_name(design: str | None, lang: Lang) -> str:
    """The estimator in plain words (the API's technical description stays in the report)."""
    key = f"method_{design}"
    return t(key, lang) if key in TEXTS else (design or "—")


def kpi_series(evaluation: dict[str, Any]) -> None:
    """Treated vs control over time for the KPI chosen (the primary one first)."""
    try:
        found = api.series(pilot_id, evaluation["id"])
    except ApiError as exc:
        show_problem(exc, lang)
        return
    drawn = {s["name"]: s for s in found.get("series") or [] if s.get("points")}
    if not drawn:
        return
    name = st.selectbox(t("chart_kpi", lang), list(drawn), key=f"series-{evaluation['id']}",
                        format_func=lambda n: drawn[n]["label"] or n)
    chosen = drawn[name]
    rows = [{"time": p["t"], "value": p[side], "group": t(f"zone_{side}", lang)}
            for p in chosen["points"] for side in ("treated", "control")
            if p.get(side) is not None]
    st.altair_chart(series_chart(rows, lang=lang, start=found["pilot_start"],
                                 title=t("eval_series", lang, kpi=chosen["label"] or name),
                                 y_title=chosen["label"] or name), width="stretch")

try:
    evaluations = api.evaluations(pilot_id, limit=20)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

if user["role"] in ("startup", "city") and st.button(t("eval_run", lang), type="primary"):
    try:
        api.request_evaluation(pilot_id)
    except ApiError as exc:
        show_problem(exc, lang)
    else:
        st.rerun()

if not evaluations:
    st.info(t("eval_none", lang))
    st.stop()
latest = evaluations[0]
st.markdown(status_markdown(latest["status"], lang) + " · "
            + t("eval_number", lang, n=latest["number"]))


if latest["status"] in ("queued", "running"):
    job_progress(api, latest.get("job_id"), t("eval_progress", lang))
elif latest["status"] == "failed":
    st.error(t("eval_failed", lang, error=latest.get("error") or ""))
else:
    results_view(latest, lang)
