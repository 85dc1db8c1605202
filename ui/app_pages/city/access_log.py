"""Access log (page being built)."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.i18n import t

lang = frame.lang()
frame.require("city", "admin")
st.title(t("nav_access_log", lang))
st.info(t("not_available_yet", lang))
