"""Données de démonstration: what they are, how to remove them, and who removed them."""

import streamlit as st

from qualepref import auth, demo, fmt, ui
from qualepref.access import DISCOVERY_READ_ONLY, Role, ScopeError

ui.page_header("Données de démonstration")
admin = ui.require_role(Role.ADMIN)
db = ui.get_db()
counts = demo.demo_counts(db)
n_demo = int(counts["n_demo_indicator_values"] + counts["n_demo_survey_results"]
             + counts["n_demo_compliance"])
if message := st.session_state.pop("demonstration_message", None):
    st.success(message, icon=":material/check_circle:")
if not n_demo:
    st.success("La base ne contient aucune donnée de démonstration.")
else:
    st.write(
        f"La base contient {fmt.number(n_demo, 0)} lignes de démonstration "
        f"({fmt.number(counts['n_demo_indicator_values'], 0)} valeurs d'indicateurs, "
        f"{fmt.number(counts['n_demo_survey_results'], 0)} résultats d'enquête, "
        f"{fmt.number(counts['n_demo_compliance'], 0)} évaluations de conformité). "
        "Les supprimer n'efface aucune donnée importée ; la suppression est inscrite à l'historique."
    )
    if admin.demo:
        st.info(DISCOVERY_READ_ONLY, icon=":material/visibility:")
    else:
        confirm = st.checkbox("Je confirme la suppression des données de démonstration")
        if st.button("Supprimer les données de démonstration", type="primary", disabled=not confirm):
            try:
                removed = demo.remove(db, actor=admin)
            except ScopeError as exc:
                st.error(ui.plain(exc), icon=":material/block:")
            else:
                st.session_state["demonstration_message"] = (
                    f"{fmt.number(sum(removed.values()), 0)} lignes de démonstration supprimées.")
                st.rerun()

history = auth.audit_history(db, entities=(demo.AUDIT_ENTITY,))
if not history.empty:
    st.subheader("Historique", anchor=False)
    st.dataframe(
        history,
        column_config={"changed_at": st.column_config.DatetimeColumn("Quand (UTC)", format="DD/MM/YYYY HH:mm"),
                       "actor": "Par", "action": "Action", "entity": None, "key": None,
                       "before": "Lignes avant", "after": "Après"},
        hide_index=True, width="stretch",
        placeholder="–",
    )
ui.footer()
