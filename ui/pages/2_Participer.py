"""Running pilots as citizens see them: no account needed."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiError
from ui.i18n import t
from ui.widgets import client, language

st.set_page_config(page_title="Terrain — Participer", page_icon="🌿", layout="wide")
lang = language()
st.title(t("running_pilots", lang))

try:
    page = client().public_pilots(limit=50)
except ApiError as exc:
    st.error(exc.detail)
    st.stop()

if not page["items"]:
    st.info(t("no_running", lang))
for pilot in page["items"]:
    st.subheader(pilot["title"])
    st.write(pilot["summary"])
    st.caption(t("period", lang, start=pilot["starts_at"][:10], end=pilot["ends_at"][:10]))
    points: dict[str, list[float]] = {"lon": [], "lat": []}
    for feature in pilot["area"]["features"]:
        ring = feature["geometry"]["coordinates"][0]
        if feature["geometry"]["type"] == "MultiPolygon":
            ring = ring[0]
        points["lon"].append(sum(p[0] for p in ring) / len(ring))
        points["lat"].append(sum(p[1] for p in ring) / len(ring))
    if points["lon"]:
        st.map(points, zoom=12)
