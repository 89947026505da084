"""Vue d'ensemble: key figures of the selected scope for the last complete period."""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import alerts, filters, fmt, overview, ui

ui.page_header(
    "Vue d'ensemble",
    "Chiffres clés de votre sélection (une préfecture, une région ou la France entière) pour la dernière "
    "période complète. Chaque chiffre mène à sa page de détail.",
)
selection = filters.sidebar_filters(period=False)
scope = selection.scope
n_scope = len(scope.site_codes)
link_params = {k: v for k, v in (("pref", selection.site_code), ("region", selection.region_code)) if v}

reporting = ui.query("overview_reporting", scope=scope)
survey = ui.query("trend_survey_by_question", scope=scope, first_campaign="0000", last_campaign="9999")
if reporting.empty and survey.empty:
    st.info("Aucune donnée pour votre périmètre : commencez par la page « Import ».")
    ui.footer()
    st.stop()

month = overview.last_complete_period(reporting, n_scope)
share = fmt.percent(overview.COMPLETE_SHARE * 100, 0)
if month is not None:
    st.subheader(f"Dernière période complète : {fmt.month(month)}")
    st.caption(f"Le dernier mois pour lequel au moins {share} des {n_scope} préfectures de la sélection "
               "ont transmis leurs indicateurs ; les mois suivants sont encore incomplets.")
elif not reporting.empty:
    month = pd.Timestamp(reporting.period_start.max()).date()
    st.subheader(f"Dernier mois transmis : {fmt.month(month)}")
    st.warning(f"Aucun mois n'atteint {share} de préfectures ayant transmis : les chiffres du dernier "
               "mois reçu sont partiels.")

n_reporting = 0
if month is not None:
    at_month = reporting[pd.to_datetime(reporting.period_start) == pd.Timestamp(month)]
    n_reporting = int(at_month.n_sites.iloc[0]) if len(at_month) else 0
    window_start = alerts.window_start(month)
    window_values = ui.query("alert_indicator_values", scope=scope, start=window_start, end=month)
    # The month's values are the last of the alert window's: no second query.
    at_end = pd.to_datetime(window_values.period_start) == pd.Timestamp(month)
    targets = overview.target_summary(window_values[at_end & (window_values.period_kind == "month")])
else:
    targets = overview.TargetSummary(0, 0)
    window_values = None

headline = overview.headline_satisfaction(survey)
survey_results = None if headline is None else ui.query(
    "alert_survey_results", scope=scope, first_campaign=headline.campaign, last_campaign=headline.campaign)
open_alerts = alerts.all_alerts(survey_results, window_values)
counts = alerts.count_by_level(open_alerts)

reports, target_col, satisfaction_col, alert_col = st.columns(4, border=True)
with reports:
    st.metric("Préfectures ayant transmis", f"{n_reporting} / {n_scope}",
              help="Préfectures de la sélection ayant transmis des indicateurs mensuels ce mois-là.")
    st.caption(f"En {fmt.month(month)}" if month is not None else "Aucun indicateur transmis")
    st.page_link("pages/transmissions.py", label="Suivi des transmissions", icon=":material/fact_check:",
                 query_params=link_params)
with target_col:
    st.metric("Indicateurs à la cible", fmt.percent(targets.share))
    st.caption(f"{fmt.number(targets.n_meeting, 0)} valeurs à la cible sur {fmt.number(targets.n_with_target, 0)}"
               f" (indicateurs mensuels ayant une cible, {fmt.month(month) if month else '–'})")
    st.page_link("pages/tendances.py", label="Voir les tendances", icon=":material/show_chart:",
                 query_params=link_params)
with satisfaction_col:
    if headline is None:
        st.metric("Taux de satisfaction", "–")
        st.caption("Aucune enquête de satisfaction")
    else:
        st.metric("Taux de satisfaction", fmt.percent(headline.rate, fraction=True))
        subject = "question « satisfaction globale »" if headline.question_label else "toutes questions confondues"
        st.caption(f"Campagne {headline.campaign}, {subject} : intervalle de confiance à 95 % "
                   f"{fmt.percent(headline.low, fraction=True)} – {fmt.percent(headline.high, fraction=True)}, "
                   f"{fmt.number(headline.n, 0)} avis exprimés")
    st.page_link("pages/tendances.py", label="Satisfaction par question", icon=":material/sentiment_satisfied:",
                 query_params={**link_params, "vue": "satisfaction"})
with alert_col:
    st.metric("Alertes ouvertes", fmt.number(len(open_alerts), 0))
    st.caption("Dernière campagne d'enquête et dernières valeurs des indicateurs "
               f"({fmt.month(window_start) + ' – ' + fmt.month(month) if month else '–'})")
    # The same campaign and months on the Alertes page, so its counts match these.
    alert_period = {}
    if month is not None:
        alert_period["fin"] = month.strftime("%Y-%m")
        if headline is not None:
            alert_period["debut"] = f"{headline.campaign}-01"
    st.page_link("pages/alertes.py", label="Voir les alertes", icon=":material/notifications:",
                 query_params={**link_params, **alert_period})

st.subheader("Alertes ouvertes par niveau")
for column, (level, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(level, fmt.number(count, 0))

st.subheader("Conformité par module")
compliance = overview.compliance_rates(ui.query("compliance_module_counts", scope=scope, as_of=date.today()))
if compliance.empty:
    st.info("Aucune évaluation de conformité pour cette sélection.")
else:
    st.caption("Dernière évaluation de chaque engagement de chaque préfecture ; les engagements non "
               "applicables sont exclus, un engagement partiellement conforme n'est pas compté conforme.")
    st.dataframe(
        pd.DataFrame({
            "Module": [f"{m} – {name}" for m, name in zip(compliance.module, compliance.module_name, strict=True)],
            "Taux de conformité": [fmt.percent(r) for r in compliance.rate],
            "Conformes": compliance.n_conforme,
            "Partiellement conformes": compliance.n_partiel,
            "Non conformes": compliance.n_non_conforme,
            "Évalués (hors non applicables)": compliance.n_applicable,
            "Préfectures": compliance.n_sites,
            "Dernière évaluation": [fmt.day(d) for d in compliance.last_assessed_on],
        }),
        hide_index=True,
        width="stretch",
    )
    st.page_link("pages/conformite.py", label="Voir la conformité en détail", icon=":material/grid_on:",
                 query_params=link_params)
ui.footer()
