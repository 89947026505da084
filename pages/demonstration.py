"""Données de démonstration: what they are, and how to remove them."""

import streamlit as st

from qualepref import demo, fmt, ui
from qualepref.access import Role

ui.page_header("Données de démonstration")
ui.require_role(Role.ADMIN)
db = ui.get_db()
counts = demo.demo_counts(db)
n_demo = int(counts["n_demo_indicator_values"] + counts["n_demo_survey_results"]
             + counts["n_demo_compliance"])
if not n_demo:
    st.success("La base ne contient aucune donnée de démonstration.")
else:
    st.write(
        f"La base contient {fmt.number(n_demo, 0)} lignes de démonstration "
        f"({fmt.number(counts['n_demo_indicator_values'], 0)} valeurs d'indicateurs, "
        f"{fmt.number(counts['n_demo_survey_results'], 0)} résultats d'enquête, "
        f"{fmt.number(counts['n_demo_compliance'], 0)} évaluations de conformité). "
        "Les supprimer n'efface aucune donnée importée."
    )
    confirm = st.checkbox("Je confirme la suppression des données de démonstration")
    if st.button("Supprimer les données de démonstration", type="primary", disabled=not confirm):
        removed = demo.remove(db)
        st.success(f"{fmt.number(sum(removed.values()), 0)} lignes de démonstration supprimées.")
        st.rerun()
ui.footer()
