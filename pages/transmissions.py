"""Suivi des transmissions (placeholder until its issue lands)."""

import streamlit as st

from qualepref import ui

ui.page_header("Suivi des transmissions")
st.info("Cette page est en cours de construction.")
ui.footer()
