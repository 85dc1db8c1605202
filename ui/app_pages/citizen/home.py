"""The citizen's space (built by the citizens' issue)."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.i18n import t

lang = frame.lang()
frame.require("citizen")
st.title(t("citizen_space", lang))
st.info(t("coming_soon", lang))
