"""Pack COPIL et exports (placeholder until its issue lands)."""

import streamlit as st

from qualepref import ui

ui.page_header("Pack COPIL et exports")
st.info("Cette page est en cours de construction.")
ui.footer()
