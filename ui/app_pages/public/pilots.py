"""Running pilots as citizens see them: no account needed (the citizens' issue extends it)."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import show_problem, territory_map

lang = frame.lang()
st.title(t("running_pilots", lang))

try:
    page = frame.client().public_pilots(limit=50)
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

if not page["items"]:
    st.info(t("no_running", lang))
for pilot in page["items"]:
    st.subheader(pilot["title"])
    st.write(pilot["summary"])
    st.caption(t("period", lang, start=pilot["starts_at"][:10], end=pilot["ends_at"][:10]))
    zones = [{"id": str(i), "code": f.get("properties", {}).get("code", ""),
              "name": f.get("properties", {}).get("name", ""), "geometry": f["geometry"]}
             for i, f in enumerate(pilot["area"]["features"])]
    territory_map(zones, [], lang, height=300, key=f"map-{pilot['id']}")
