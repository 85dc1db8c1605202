"""Results of evaluated pilots, the open-data catalog with its downloads, and the directory
of the organizations taking part: no account needed."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.app_pages.public import parts
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import paginate, show_problem

LIMIT = 10

lang = frame.lang()
api = frame.client()
st.title(t("nav_open_data", lang))
results_tab, data_tab, directory_tab = st.tabs(
    [t("results", lang), t("open_data", lang), t("directory", lang)])

with results_tab:
    st.write(t("results_intro", lang))
    offset = int(st.session_state.get("page:results", 1) - 1) * LIMIT
    try:
        page = api.public_results(limit=LIMIT, offset=max(0, offset))
        shown = paginate("results", int(page["total"]), LIMIT, lang)
        if shown != offset:
            page = api.public_results(limit=LIMIT, offset=shown)
    except ApiError as exc:
        show_problem(exc, lang)
        page = {"items": [], "total": 0}
    if not page["items"]:
        st.info(t("no_results", lang))
    else:
        st.link_button(t("results_csv", lang), api.public_url("/public/results.csv?limit=200"),
                       icon=":material/download:")
    for result in page["items"]:
        with st.container(border=True):
            st.subheader(result["title"])
            st.markdown(t("evaluated_on", lang, date=parts.day(result.get("evaluated_at")),
                         organization=result["organization"],
                         domain=parts.domain_name(result["domain"], lang)))
            parts.result_block(result, lang)

with data_tab:
    st.write(t("open_data_intro", lang))
    try:
        catalog = api.public_catalog(limit=100)
    except ApiError as exc:
        show_problem(exc, lang)
        catalog = {}
    datasets = catalog.get("dcat:dataset") or []
    if not datasets:
        st.info(t("no_open_data", lang))
    for dataset in datasets:
        with st.container(border=True):
            st.markdown(f"**{dataset['dct:title']}**")
            st.write(dataset.get("dct:description", ""))
            licence = (dataset.get("dct:license") or {}).get("rdfs:label", "—")
            st.markdown(t("publisher_licence", lang,
                         publisher=(dataset.get("dct:publisher") or {}).get("foaf:name", ""),
                         licence=licence, version=dataset.get("dcat:version", "")))
            links = st.columns(4)
            for column, dist in zip(links, dataset.get("dcat:distribution") or [],
                                    strict=False):
                column.link_button(str(dist.get("dct:format", "")),
                                   str((dist.get("dcat:downloadURL") or {}).get("@id", "")),
                                   icon=":material/download:")

with directory_tab:
    st.write(t("directory_intro", lang))
    domain = st.selectbox(t("filter_domain", lang), [None, *parts.DOMAIN_COLOURS],
                          format_func=lambda d: t("filter_all", lang) if d is None
                          else parts.domain_name(d, lang), key="directory-domain")
    try:
        found = api.public_directory(domain=domain, limit=50)["items"]
    except ApiError as exc:
        show_problem(exc, lang)
        found = []
    if not found:
        st.info(t("no_directory", lang))
    for organization in found:
        with st.container(border=True):
            st.markdown(f"**{organization['name']}**")
            st.write(organization.get("description", ""))
            if organization.get("website"):
                st.markdown(f"[{t('website', lang)}]({organization['website']})")
            if organization.get("contact_email"):
                st.markdown(t("contact", lang, email=organization["contact_email"]))
            for prototype in organization.get("prototypes") or []:
                pilots = ", ".join(p["title"] for p in prototype.get("pilots") or [])
                name = parts.domain_name(prototype["domain"], lang)
                st.markdown(f"- {prototype['name']} ({name})" + (f" — {pilots}" if pilots else ""))
