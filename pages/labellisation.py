"""Labellisation: the national picture of the label (ministry and administrator).

How many sites of each kind hold the label, a map of where each site stands (colour and
shape), and the follow-up audits overdue or due within 90 days.
"""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import filters, fmt, labellisation, sites, ui, vocab
from qualepref.access import Role
from qualepref.charts import labelling as charts

ui.require_role(Role.MINISTRY, Role.ADMIN)
ui.page_header(
    "Labellisation",
    "Où en est chaque site dans le cycle du label Qual-e-Pref : préparation, audit interne, audit externe, "
    "décision, audits de suivi annuels et renouvellement. Les préfectures sont comptées avec les préfectures, "
    "les sous-préfectures avec les sous-préfectures.",
)
selection = filters.sidebar_filters(period=False)
scope = selection.scope
today = date.today()
HEADERS = {"site_code": "Code", "site_title": "Site", "kind_label": "Type", "status_label": "Statut",
           "detail": "Détail", "label_since": "Labellisé depuis", "valid_until": "Label valable jusqu'au",
           "next_due": "Prochain audit de suivi", "planned": "Prochain audit programmé", "due_on": "Échéance",
           "delay": "Retard / délai", "organisme": "Organisme"}

site_rows = ui.query("sites", scope=scope)
events = ui.query("label_events", scope=scope)
status = labellisation.statuses(site_rows, events, today)
status["site_title"] = [sites.title(k, n, t) for k, n, t in zip(status.site_kind, status.site_name, status.tncc,
                                                                  strict=True)]
status["kind_label"] = status.site_kind.map(vocab.SITE_KINDS.label)
status["status_label"] = [f"{vocab.LABEL_STATUSES[s].symbol} {vocab.LABEL_STATUSES.label(s)}" for s in status.status]

st.subheader("Sites labellisés")
counts = labellisation.counts_by_kind(status)
counts = counts.assign(order=counts.site_kind.map(vocab.SITE_KINDS.position)).sort_values("order")
columns = st.columns(max(1, len(counts)), border=True)
FEMININE = {"prefecture", "sous_prefecture", "prefecture_police"}  # « labellisées », else « labellisés »
for column, row in zip(columns, counts.itertuples(), strict=False):
    agreed = "labellisées" if row.site_kind in FEMININE else "labellisés"
    column.metric(f"{vocab.SITE_KINDS.short(row.site_kind)} {agreed}",
                  f"{int(row.n_labelled)} / {int(row.n_sites)}",
                  help="Sites dont le label est en vigueur (y compris ceux dont l'audit de suivi est en retard).")
st.caption(" · ".join(f"{vocab.SITE_KINDS.short(r.site_kind)} {int(r.n_labelled)}/{int(r.n_sites)}"
                      for r in counts.itertuples()) + f" — au {fmt.day(today)}.")

by_status = status.status.value_counts()
status_columns = st.columns(len(vocab.LABEL_STATUSES))
for column, term in zip(status_columns, vocab.LABEL_STATUSES, strict=True):
    # Short labels: six figures side by side at 1280 px; the full wording in the help.
    column.metric(f"{term.symbol} {term.short_label}", fmt.number(int(by_status.get(term.code, 0)), 0),
                  help=term.label)

fig = ui.shared(charts.status_map)(status, title=f"Statut de chaque site au {fmt.day(today)}",
                                   meeting_mode=selection.meeting_mode)
st.caption("Chaque préfecture colore son département ; chaque site est un symbole dont la forme dit aussi le statut "
           "(légende). Sous-préfectures : petits symboles, placés près de leur préfecture quand leur position n'est "
           "pas renseignée. Outre-mer en encarts, à l'ouest ; collectivités d'outre-mer sous les encarts.")
table = status[["site_code", "site_title", "kind_label", "status_label", "detail"]]
ui.chart_with_table(fig, table, file_stem="labellisation-carte", headers=HEADERS, key="lab_map")

st.subheader("Audits de suivi en retard ou dans les 90 jours")
due = labellisation.follow_ups_due(status, today)
if due.empty:
    st.success("Aucun audit de suivi en retard ni attendu dans les 90 prochains jours.")
else:
    late = int((due.days_left < 0).sum())
    st.caption(f"{late} en retard, {len(due) - late} à venir. Échéance : le prochain audit de suivi attendu, ou la "
               "fin de validité du label si elle vient avant.")
    last_organisme = events.sort_values("event_date").groupby("site_code").organisme.last()
    shown = due.assign(
        due_on=due.due_on.map(fmt.day),
        delay=[f"en retard de {-d} j" if d < 0 else f"dans {d} j" for d in due.days_left],
        planned=[fmt.day(p) if p is not None and not pd.isna(p) else "–" for p in due.planned],
        organisme=due.site_code.map(last_organisme).fillna("–"),
    )[["site_code", "site_title", "kind_label", "due_on", "delay", "planned", "organisme"]]
    st.dataframe(shown.rename(columns=HEADERS), hide_index=True, width="stretch", placeholder="–")
    left, right = st.columns(2)
    from qualepref.export import tables

    left.download_button("Télécharger la liste (CSV)", lambda: tables.to_csv_bytes(shown, HEADERS),
                         file_name="audits-de-suivi.csv", mime="text/csv", key="lab_due_csv")
    right.download_button("Télécharger la liste (Excel)", lambda: tables.to_xlsx_bytes(shown, HEADERS),
                          file_name="audits-de-suivi.xlsx", key="lab_due_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

with st.expander(f"Tous les sites ({len(status)})"):
    every = status.assign(label_since=status.label_since.map(fmt.day), valid_until=status.valid_until.map(fmt.day),
                          next_due=status.next_due.map(fmt.day))
    st.dataframe(every[["site_code", "site_title", "kind_label", "status_label", "label_since", "valid_until",
                        "next_due", "detail"]].rename(columns=HEADERS), hide_index=True, width="stretch",
                 placeholder="–")
st.page_link("pages/demarche.py", label="Voir la démarche d'un site (choisissez-le dans le panneau latéral)",
             icon=":material/flag:", query_params={"pref": selection.site_code} if selection.site_code else None)
ui.footer()
