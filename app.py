"""Entry point: page configuration, the caller, navigation."""

import streamlit as st

from qualepref import ui

st.set_page_config(
    page_title="Qual-e-Pref · Tableau de bord",
    page_icon=":material/verified:",
    layout="wide",
)


def page(path: str, title: str, icon: str, **kwargs) -> st.Page:
    return st.Page(path, title=title, icon=f":material/{icon}:", **kwargs)


PAGES = {
    "Pilotage": [
        page("pages/vue_ensemble.py", "Vue d'ensemble", "dashboard", default=True),
        page("pages/tendances.py", "Tendances", "show_chart"),
        page("pages/alertes.py", "Alertes", "notifications"),
        page("pages/conformite.py", "Conformité", "grid_on"),
        page("pages/comparaison.py", "Comparaison nationale", "map"),
        page("pages/transmissions.py", "Suivi des transmissions", "fact_check"),
    ],
    "Données": [
        page("pages/import_donnees.py", "Import", "upload_file"),
        page("pages/historique.py", "Historique des imports", "history"),
        page("pages/exports.py", "Pack COPIL et exports", "slideshow"),
    ],
    "Référence": [
        page("pages/referentiel.py", "Référentiel", "menu_book"),
    ],
    "Administration": [
        page("pages/demonstration.py", "Données de démonstration", "science"),
    ],
}

ui.get_db()
st.navigation(PAGES).run()
