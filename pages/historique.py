"""Historique des imports (placeholder until its issue lands)."""

import streamlit as st

from qualepref import ui

ui.page_header("Historique des imports")
st.info("Cette page est en cours de construction.")
ui.footer()
