"""Catalog: zones and assets on a map, GeoJSON import, datasets with versions and preview."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import status, t
from ui.widgets import (
    ProgressReader,
    flash,
    job_progress,
    show_flash,
    show_problem,
    status_markdown,
    territory_map,
)

lang = frame.lang()
frame.require("city", "admin")
st.title(t("nav_catalog", lang))
show_flash()
api = frame.client()

try:
    zones, assets = api.zones(), api.assets()
    datasets = api.datasets(limit=100)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

map_tab, import_tab, data_tab = st.tabs([t("cat_map", lang), t("cat_import", lang),
                                         t("cat_datasets", lang)])
with map_tab:
    kinds = sorted({str(a.get("kind")) for a in assets})
    shown = st.pills(t("cat_asset_kinds", lang), kinds, selection_mode="multi", default=kinds,
                     key="asset-kinds")
    territory_map(zones, [a for a in assets if str(a.get("kind")) in shown], lang,
                  key="catalog-map", height=480)
    st.caption(t("cat_counts", lang, zones=len(zones), assets=len(assets)))

with import_tab:
    what = st.radio(t("cat_import_what", lang), ["zones", "assets"], horizontal=True,
                    format_func=lambda w: t(f"cat_{w}", lang))
    upload = st.file_uploader(t("cat_geojson", lang), type=["geojson", "json"],
                              key=f"geojson-{what}")
    if upload is not None and st.button(t("cat_import_go", lang), type="primary"):
        try:
            collection = json.loads(upload.getvalue())
        except ValueError:
            st.error(t("cat_not_json", lang))
        else:
            try:
                created = (api.import_zones(collection) if what == "zones"
                           else api.import_assets(collection))
            except ApiError as exc:
                show_problem(exc, lang)
            else:
                flash(t("cat_imported", lang, n=len(created)))
                st.rerun()

with data_tab:
    if not datasets:
        st.info(t("wiz_no_datasets", lang))
    for dataset in datasets:
        with st.expander(f"{dataset['name']} · {dataset['domain']} · "
                         f"{t('sens_' + dataset['sensitivity'], lang)}"):
            try:
                versions = api.dataset_versions(dataset["id"], limit=20)["items"]
            except ApiError as exc:
                show_problem(exc, lang)
                continue
            for version in versions:
                st.markdown(f"**v{version['number']}** · "
                            + status_markdown(version["status"], lang) + " · "
                            + t("cat_rows", lang, n=version.get("row_count") or 0))
                if version["status"] in ("pending", "processing"):
                    job_progress(api, version.get("job_id"), t("cat_converting", lang))
                elif version["status"] == "failed" and version.get("error"):
                    st.caption(version["error"])
            ready = [v for v in versions if v["status"] == "ready"]
            if ready and st.toggle(t("cat_preview", lang), key=f"preview-{dataset['id']}"):
                rows = api.version_rows(dataset["id"], ready[0]["id"], limit=20)["rows"]
                st.dataframe(rows, hide_index=True, width="stretch")
            upload = st.file_uploader(t("cat_new_version", lang), type=["csv", "parquet"],
                                      key=f"version-{dataset['id']}")
            if upload is not None and st.button(t("cat_upload", lang),
                                                key=f"upload-{dataset['id']}"):
                bar = st.progress(0.0, text=t("cat_uploading", lang))

                def sent(done: float, bar: Any = bar) -> None:
                    bar.progress(done, text=t("cat_uploading", lang))

                sending = ProgressReader(upload, upload.size, sent)
                try:
                    version = api.upload_version(dataset["id"], upload.name, sending)
                except ApiError as exc:
                    show_problem(exc, lang)
                else:
                    flash(t("cat_uploaded", lang, n=version["number"],
                            state=status(version["status"], lang)))
                    st.rerun()
