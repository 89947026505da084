"""Suivi des transmissions: which prefectures have not sent which month (or which survey campaign).

Missing is not zero: a month a prefecture did not send is listed here, never
counted as a value elsewhere.
"""

import streamlit as st

from qualepref import charts, filters, fmt, ui
from qualepref.charts.national import STATUS_LABELS, STATUS_MISSING, STATUS_SENT
from qualepref.export import tables

ui.page_header(
    "Suivi des transmissions",
    "Pour chaque préfecture et chaque mois de la période : transmis (tous les indicateurs mensuels "
    "qu'elle suit), partiel (certains manquent) ou non transmis. Puis les campagnes d'enquête reçues.",
)
selection = filters.sidebar_filters()
scope = selection.scope
if selection.start is None:
    st.info("Aucune donnée transmise pour votre périmètre : commencez par la page « Import ».")
    ui.footer()
    st.stop()
HEADERS = {"site_code": "Code", "site_name": "Préfecture", "month": "Mois", "status": "Statut",
           "n_sent": "Indicateurs transmis", "n_expected": "Indicateurs suivis", "missing": "Indicateurs manquants",
           "campaign": "Campagne", "n_questions": "Questions reçues"}

monthly = ui.query("transmission_monthly", scope=scope, start=selection.start, end=selection.end)
status = charts.transmission_status(monthly)
if status.empty:
    st.info("Aucun indicateur mensuel suivi par ce périmètre.")
else:
    last = status.period_start.max()
    at_last = status[status.period_start == last]
    cols = st.columns(3)
    cols[0].metric(f"À jour en {fmt.month(last)}", f"{(at_last.status == STATUS_SENT).sum()} / {len(at_last)}",
                   help="Préfectures ayant transmis tous leurs indicateurs mensuels ce mois-là")
    cols[1].metric(f"Non transmis en {fmt.month(last)}", str((at_last.status == STATUS_MISSING).sum()))
    late = status[status.status != STATUS_SENT]
    cols[2].metric("Mois incomplets sur la période", str(len(late)),
                   help="Nombre de couples préfecture × mois partiels ou non transmis")

    month_names = {m: fmt.month(m) for m in status.period_start.unique()}  # 24 labels, not one per row
    shown = status.assign(month=status.period_start.map(month_names), status=status.status.map(STATUS_LABELS))
    table = shown[["site_code", "site_name", "month", "status", "n_sent", "n_expected", "missing"]]
    fig = charts.transmission_grid(
        status, title=f"Transmissions mensuelles, {fmt.month(selection.start)} – {fmt.month(selection.end)}",
        month_label=fmt.month, meeting_mode=selection.meeting_mode)
    ui.chart_with_table(fig, table, file_stem="transmissions-mensuelles", headers=HEADERS, key="tr_grid")

    st.subheader("Mois manquants ou incomplets")
    missing = table[shown.status != STATUS_LABELS[STATUS_SENT]]
    if missing.empty:
        st.success("Toutes les préfectures du périmètre ont transmis chaque mois de la période.")
    else:
        st.dataframe(missing.rename(columns=HEADERS), hide_index=True, width="stretch")
        left, right = st.columns(2)
        # Files built on click, not on every run (as in ui.chart_with_table).
        left.download_button("Télécharger la liste (CSV)", lambda: tables.to_csv_bytes(missing, HEADERS),
                             file_name="transmissions-manquantes.csv", mime="text/csv", key="tr_missing_csv")
        right.download_button("Télécharger la liste (Excel)", lambda: tables.to_xlsx_bytes(missing, HEADERS),
                              file_name="transmissions-manquantes.xlsx", key="tr_missing_xlsx",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader("Campagnes d'enquête de satisfaction")
campaigns = ui.query("transmission_campaigns", scope=scope, start_year=str(selection.start.year),
                     end_year=str(selection.end.year))
if campaigns.empty:
    st.info("Aucune campagne d'enquête sur les années de la période.")
else:
    grid = campaigns.pivot(index=["site_code", "site_name"], columns="campaign", values="n_questions").reset_index()
    grid.columns.name = None
    not_sent = campaigns[campaigns.n_questions == 0]
    if not_sent.empty:
        st.success("Toutes les préfectures du périmètre ont transmis chaque campagne de la période.")
    else:
        st.warning(f"{len(not_sent)} campagne(s) non transmise(s) : "
                   + " ; ".join(f"{c} – {n} ({k})" for c, n, k in zip(not_sent.site_code, not_sent.site_name,
                                                                        not_sent.campaign, strict=True)))
    st.caption("Nombre de questions reçues par préfecture et par campagne (0 = campagne non transmise).")
    st.dataframe(grid.rename(columns=HEADERS), hide_index=True, width="stretch")
    st.download_button("Télécharger (CSV)", lambda: tables.to_csv_bytes(campaigns, HEADERS),
                       file_name="transmissions-campagnes.csv", mime="text/csv", key="tr_campaigns_csv")
ui.footer()
