"""Import (placeholder until its issue lands)."""

import streamlit as st

from qualepref import ui

ui.page_header("Import")
st.info("Cette page est en cours de construction.")
ui.footer()
