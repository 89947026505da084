"""Alertes: survey questions under 75 % and indicators missing their target, most severe first."""

from datetime import date

import streamlit as st

from qualepref import alert_view, alerts, filters, fmt, targets, ui
from qualepref.export import tables

ui.page_header(
    "Alertes",
    "Questions d'enquête sous 75 % de satisfaction (trois niveaux) et indicateurs hors cible sur leur "
    "dernière valeur (deux périodes consécutives hors cible forment une tendance). Les plus graves en premier.",
)
selection = filters.sidebar_filters(module=True)
scope = selection.scope
national = scope.national and not selection.single_site
# Open alerts (alerts.open_alerts): each site's campaigns of its latest year up to the chosen one, indicators judged
# on their latest value of the six months up to the chosen month — the figures of Vue d'ensemble and the pack.
if selection.end is None:
    last_year = 9999
    values = None
else:
    last_year = selection.end.year
    values = targets.judged(ui.query("alert_indicator_values", scope=scope, start=alerts.window_start(selection.end),
                                     end=selection.end), ui.query("target_rows", scope=scope))
survey = ui.query("alert_survey_results", scope=scope, first_year=0, last_year=last_year)
table = alerts.open_alerts(survey, values, ui.query("target_rows", scope=scope))
table = alerts.filter_table(table, module=selection.module)

view = filters.url_choice("Afficher", alert_view.QUICK_VIEWS, "alertes", default=alert_view.ALL)
shown = alert_view.quick_view(table, view)
with st.expander("Affiner : niveaux et types d'alerte"):
    levels = st.multiselect("Niveaux", list(alerts.LEVELS), default=list(alerts.LEVELS), key="niveaux",
                            placeholder="Choisissez un ou plusieurs niveaux")
    kinds = st.multiselect("Types", list(alerts.KINDS), default=list(alerts.KINDS), key="types",
                           placeholder="Choisissez un ou plusieurs types")
    detail = st.toggle("Détail statistique et commentaires (avis exprimés, intervalle de confiance, périodes "
                       "consécutives hors cible, commentaire du référent)", key="alertes_detail")
shown = alerts.filter_table(shown, levels=levels, kinds=kinds)

counts = alerts.count_by_level(shown)
for column, (level, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(level, fmt.number(count, 0))

window = ("" if selection.end is None else
          f" Indicateurs : dernière valeur des six mois {alerts.window_text(selection.end)}.")
campaigns = ("campagnes de la dernière année d'enquête de chaque préfecture" if selection.end is None
             else f"campagnes de la dernière année d'enquête de chaque préfecture, jusqu'à {last_year}")
st.caption(f"Alertes ouvertes. Enquêtes : {campaigns}.{window} "
           "« Effectif insuffisant » : moins de 30 avis exprimés, affiché mais jamais classé.")

if shown.empty:
    st.success("Aucune alerte pour cette sélection.")
else:
    readable, headers = alerts.export_frame(shown)
    # An alert that has an open action says so (and links to it) instead of looking abandoned.
    shown = alert_view.with_actions(shown, ui.query("actions", scope=scope), date.today())
    columns = alert_view.screen_columns(national=national, detail=detail)
    st.dataframe(
        shown[columns].rename(columns=alerts.HEADERS | alert_view.ACTION_HEADERS),
        hide_index=True,
        width="stretch",
        column_config={
            alerts.HEADERS["subject"]: st.column_config.TextColumn(alerts.HEADERS["subject"], width="large"),
            alerts.HEADERS["value"]: st.column_config.TextColumn(alerts.HEADERS["value"], width="small"),
            alerts.HEADERS["reference"]: st.column_config.TextColumn(alerts.HEADERS["reference"], width="small"),
            alerts.HEADERS["period"]: st.column_config.TextColumn(alerts.HEADERS["period"], width="small"),
            alerts.HEADERS["level"]: st.column_config.TextColumn(alerts.HEADERS["level"], width="medium"),
            alerts.HEADERS["link"]: st.column_config.LinkColumn(
                alerts.HEADERS["link"], display_text="Voir la tendance", width="small",
                help="Ouvre la page Tendances sur la préfecture et l'indicateur (ou l'enquête) de l'alerte"),
            alert_view.ACTION_HEADERS[alert_view.ACTION]: st.column_config.TextColumn(
                alert_view.ACTION_HEADERS[alert_view.ACTION], width="medium"),
            alert_view.ACTION_HEADERS[alert_view.ACTION_LINK]: st.column_config.LinkColumn(
                alert_view.ACTION_HEADERS[alert_view.ACTION_LINK], display_text="Créer ou voir l'action",
                width="small", help="Ouvre l'action en cours sur ce point, ou le formulaire « Créer une action » "
                                    "prérempli (préfecture, module, origine, période)"),
            alerts.HEADERS["site_code"]: st.column_config.TextColumn(alerts.HEADERS["site_code"], width=60),
            headers["n"]: st.column_config.NumberColumn(headers["n"], format="localized"),
            headers["misses_in_a_row"]: st.column_config.NumberColumn(headers["misses_in_a_row"],
                                                                      format="localized"),
        },
        key="alertes",
        placeholder="–",
    )
    stem = "alertes" + (f"-{selection.site_code}" if selection.site_code else "")
    down_left, down_right = st.columns(2)
    # Files built on click, not on every rerun (as in ui.chart_with_table). Every column, detail included.
    down_left.download_button("Télécharger les alertes (CSV)", lambda: tables.to_csv_bytes(readable, headers),
                              file_name=f"{stem}.csv", mime="text/csv")
    down_right.download_button(
        "Télécharger les alertes (Excel)", lambda: tables.to_xlsx_bytes(readable, headers, sheet="Alertes"),
        file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ui.footer()
