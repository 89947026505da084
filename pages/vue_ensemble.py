"""Vue d'ensemble: key figures of the caller's scope."""

import streamlit as st

from qualepref import filters, fmt, ui

ui.page_header(
    "Vue d'ensemble",
    "Chiffres clés de la dernière période disponible pour votre périmètre.",
)
selection = filters.sidebar_filters(period=False)
scope = selection.scope
figures = ui.query("overview_key_figures", scope=scope).iloc[0]
if figures.isna().last_month:
    st.info("Aucune donnée pour votre périmètre : commencez par la page « Import ».")
    ui.footer()
    st.stop()

cols = st.columns(4)
cols[0].metric(
    "Préfectures ayant transmis",
    f"{int(figures.n_sites_reporting or 0)} / {len(scope.site_codes)}",
    help=f"Mois de {fmt.month(figures.last_month)}",
)
share_target = (figures.n_meeting_target / figures.n_with_target * 100) if figures.n_with_target else None
cols[1].metric(
    "Indicateurs à la cible",
    fmt.percent(share_target),
    help=f"{int(figures.n_meeting_target or 0)} valeurs sur {int(figures.n_with_target or 0)} "
    f"en {fmt.month(figures.last_month)}",
)
rate = (figures.n_satisfied / figures.n_expressed * 100) if figures.n_expressed else None
cols[2].metric(
    "Taux de satisfaction",
    fmt.percent(rate),
    help=f"Campagne {figures.last_campaign}, {fmt.number(figures.n_expressed, 0)} avis exprimés",
)
compliance = (figures.n_conforme / figures.n_applicable * 100) if figures.n_applicable else None
cols[3].metric(
    "Engagements conformes",
    fmt.percent(compliance),
    help="Dernière évaluation de chaque engagement (hors non applicables)",
)
ui.footer()
