"""The KPI table of the new-pilot wizard (a module, not a page: the router does not list it)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.i18n import Lang, t

AGGREGATIONS = ["mean", "sum", "median", "p95"]
DIRECTIONS = ["decrease", "increase"]


def kpi_editor(kpis: list[dict[str, Any]], datasets: list[dict[str, Any]],
               lang: Lang) -> list[dict[str, Any]]:
    """Edit KPIs as rows; minimum effect and threshold in percent; returns protocol KPIs."""
    names = {d["id"]: d["name"] for d in datasets}
    ids = {v: k for k, v in names.items()}
    measurement = t("kpi_uploaded", lang)
    rows = [{"name": k["name"], "label": k.get("label", ""),
             "source": names.get(k["source"].get("dataset_id", ""), measurement),
             "column_or_unit": k["source"].get("column") or k["source"].get("unit", ""),
             "aggregation": k.get("aggregation", "mean"), "direction": k["direction"],
             "minimum_effect": round(100 * k["minimum_effect"], 2),
             "success_threshold": round(100 * k["success_threshold"], 2),
             "primary": bool(k.get("primary"))} for k in kpis]
    edited = st.data_editor(
        rows or [{"name": "indicateur_1", "label": "", "source": measurement, "column_or_unit": "",
                  "aggregation": "mean", "direction": "decrease", "minimum_effect": 10.0,
                  "success_threshold": 10.0, "primary": True}],
        num_rows="dynamic", width="stretch", key="kpi-editor",
        column_config={
            "name": st.column_config.TextColumn(t("kpi_name", lang), help=t("kpi_name_help",
                                                                              lang)),
            "label": st.column_config.TextColumn(t("kpi_label", lang)),
            "source": st.column_config.SelectboxColumn(
                t("kpi_source", lang), options=[measurement, *names.values()]),
            "column_or_unit": st.column_config.TextColumn(t("kpi_column_or_unit", lang),
                                                          help=t("kpi_column_help", lang)),
            "aggregation": st.column_config.SelectboxColumn(t("kpi_aggregation", lang),
                                                            options=AGGREGATIONS),
            "direction": st.column_config.SelectboxColumn(t("kpi_direction", lang),
                                                          options=DIRECTIONS),
            "minimum_effect": st.column_config.NumberColumn(t("kpi_minimum", lang),
                                                            min_value=0.1, max_value=1000,
                                                            format="%.1f %%"),
            "success_threshold": st.column_config.NumberColumn(t("kpi_threshold", lang),
                                                               min_value=0.1, max_value=1000,
                                                               format="%.1f %%"),
            "primary": st.column_config.CheckboxColumn(t("kpi_primary", lang)),
        })
    out = []
    for row in edited:
        if not row.get("name"):
            continue
        source: dict[str, Any] = (
            {"kind": "measurement", "unit": row.get("column_or_unit") or "count"}
            if row.get("source") in (None, measurement)
            else {"kind": "dataset", "dataset_id": ids[row["source"]],
                  "column": row.get("column_or_unit") or ""})
        out.append({"name": row["name"], "label": row.get("label") or "", "source": source,
                    "aggregation": row.get("aggregation") or "mean",
                    "direction": row.get("direction") or "decrease",
                    "minimum_effect": float(row.get("minimum_effect") or 10) / 100,
                    "success_threshold": float(row.get("success_threshold") or 10) / 100,
                    "primary": bool(row.get("primary"))})
    return out
